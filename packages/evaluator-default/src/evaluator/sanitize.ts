/** Whitespace-only becomes `''`; else a missing final newline is added (old logs lack it and `git apply` needs it). */
export function normalizePatch(text: string): string {
  if (text.trim() === '') return ''
  return text.endsWith('\n') ? text : `${text}\n`
}

/**
 * Replaces every shell-escaped quote `'\''` by `'` (patches that went through a single-quoted shell
 * string): only when the as-is patch does not apply, as the same characters can be real content.
 */
export function repairShellQuotes(text: string): string {
  return text.replaceAll(`'\\''`, `'`)
}
