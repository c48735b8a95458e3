import { cappedText } from '@cooperbench/spec-utils/host'

/** A backend's option `maxOutputBytes` (its options schema's property), which every backend's commands honour alike. */
export const MAX_OUTPUT_BYTES_OPTION = {
  type: 'integer',
  minimum: 1024,
  default: 10 * 1024 * 1024,
  description: 'Default cap on each of stdout and stderr of one command, in bytes (10 MiB).',
} as const

/**
 * Up to `limit` bytes of a stream, the rest counted and dropped (a chatty command stays drained); the text cuts at a UTF-8
 * boundary, then a marker line says how much was dropped.
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
