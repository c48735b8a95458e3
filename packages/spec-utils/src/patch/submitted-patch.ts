/**
 * An agent-written patch file (`patch.txt`) as it is evaluated: only leading and trailing newlines
 * removed, then one final `\n`; `''` when only whitespace is left. Upstream's 0.0.16 rule: a
 * whitespace strip (0.0.14's) also ate a last blank context line (`" \n"`), so the last hunk no
 * longer matched its header and `git apply` refused the patch.
 */
export function normalizeSubmittedPatch(text: string): string {
  const body = text.replace(/^\n+/, '').replace(/\n+$/, '')
  // Whitespace alone is no patch (upstream would hand `git apply` the blanks, which fails the same way).
  return body.trim() === '' ? '' : `${body}\n`
}

/** Text as Python reads it in text mode (universal newlines): `\r\n` and a lone `\r` become `\n`. */
export function universalNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n')
}
