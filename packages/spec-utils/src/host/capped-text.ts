/**
 * Kept output bytes as text, with the truncation marker when `omittedBytes` were dropped: any backend's `exec` output over its cap
 * (the kit's `CappedOutput` collects a stream into it; the host's replay of a batch job rebuilds it).
 */
export function cappedText(kept: Buffer, omittedBytes: number): string {
  if (omittedBytes <= 0) return kept.toString('utf8')
  const cut = utf8Boundary(kept)
  const omitted = omittedBytes + (kept.length - cut)
  const head = kept.subarray(0, cut).toString('utf8')
  const separator = head === '' || head.endsWith('\n') ? '' : '\n'
  return `${head}${separator}${truncationMarker(omitted)}\n`
}

/** The line that replaces dropped output; the evaluator and agents see it verbatim, whatever the backend. */
export function truncationMarker(omittedBytes: number): string {
  return `[... output truncated by cooperbench: ${omittedBytes} bytes omitted ...]`
}

/** Length of `bytes` without a trailing incomplete UTF-8 sequence. */
function utf8Boundary(bytes: Buffer): number {
  // Look back over at most 3 continuation bytes for the lead byte of the last character.
  for (let i = bytes.length - 1, back = 0; i >= 0 && back < 4; i--, back++) {
    const byte = bytes[i]!
    if ((byte & 0xc0) === 0x80) continue
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1
    return bytes.length - i >= needed ? bytes.length : i
  }
  return bytes.length
}
