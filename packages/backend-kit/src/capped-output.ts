/**
 * Output capping shared by sandbox backends. Collects up to `limit` bytes of a stream and counts
 * the rest, so that a chatty command keeps being drained (never blocked on a full pipe) without the harness holding all of it. The text
 * form cuts at a UTF-8 character boundary and appends a marker line saying how much was dropped.
 */
export class CappedOutput {
  private readonly chunks: Buffer[] = []
  private kept = 0
  private omitted = 0

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    const room = this.limit - this.kept
    if (room >= chunk.length) {
      this.chunks.push(chunk)
      this.kept += chunk.length
      return
    }
    if (room > 0) {
      this.chunks.push(chunk.subarray(0, room))
      this.kept += room
    }
    this.omitted += chunk.length - Math.max(room, 0)
  }

  get truncated(): boolean {
    return this.omitted > 0
  }

  /** The raw bytes that were kept. */
  bytes(): Buffer {
    return Buffer.concat(this.chunks, this.kept)
  }

  /** The kept bytes as UTF-8, followed by the truncation marker when bytes were dropped. */
  text(): string {
    return cappedText(this.bytes(), this.omitted)
  }
}

/**
 * Kept output bytes as text, with the truncation marker when `omittedBytes` were dropped (the
 * same text {@link CappedOutput} gives, for output capped elsewhere).
 */
export function cappedText(kept: Buffer, omittedBytes: number): string {
  if (omittedBytes <= 0) return kept.toString('utf8')
  const cut = utf8Boundary(kept)
  const omitted = omittedBytes + (kept.length - cut)
  const head = kept.subarray(0, cut).toString('utf8')
  const separator = head === '' || head.endsWith('\n') ? '' : '\n'
  return `${head}${separator}${truncationMarker(omitted)}\n`
}

/**
 * The line that replaces dropped output; the evaluator and agents see it verbatim, whatever the
 * backend.
 */
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
