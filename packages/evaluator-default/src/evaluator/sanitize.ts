/** Whitespace-only becomes `''`; else a missing final newline is added (old logs lack it and `git apply` needs it). */
export function normalizePatch(text: string): string {
  if (text.trim() === '') return ''
  return text.endsWith('\n') ? text : `${text}\n`
}

/** Replaces each shell-escaped quote `'\''` by `'` (a patch sent through a single-quoted string); only if the as-is patch fails, as they can be content. */
export function repairShellQuotes(text: string): string {
  return text.replaceAll(`'\\''`, `'`)
}
