/**
 * An agent's `patch.txt` as evaluated: leading and trailing newlines removed, one final `\n` added; `''` if only whitespace. Upstream
 * 0.0.16's rule: 0.0.14's whitespace strip also ate a last blank context line (`" \n"`), and `git apply` refused the then mismatched last hunk.
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
