/**
 * Normalises a stored agent patch: empty or whitespace-only becomes `''`; otherwise a
 * missing final newline is added (old logs store patches without it and `git apply`
 * rejects a last line without one). Nothing else is changed.
 */
export function normalizePatch(text: string): string {
  if (text.trim() === '') return ''
  return text.endsWith('\n') ? text : `${text}\n`
}

/**
 * Replaces every shell-escaped quote `'\''` by `'`. Patches that went through a
 * single-quoted shell string carry these; but the same four characters can be
 * legitimate content (shell scripts), so callers try the patch as-is first and use
 * this repair only when the as-is patch does not apply.
 */
export function repairShellQuotes(text: string): string {
  return text.replaceAll(`'\\''`, `'`)
}
