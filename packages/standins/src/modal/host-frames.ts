/**
 * Frames between {@link hostModalStandin} and its sandbox server on one connection: a kind byte,
 * a 4-byte big-endian length, the payload. stdout and stderr share the connection, so each chunk
 * says which it is.
 */
export const Frames = { stdin: 0, stdout: 1, stderr: 2, exit: 3, failed: 4, stdinEnd: 5 } as const

export function frame(kind: number, payload: Uint8Array = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(5)
  head.writeUInt8(kind, 0)
  head.writeUInt32BE(payload.length, 1)
  return Buffer.concat([head, payload])
}

/** Cuts a byte stream into frames, whatever the chunking. */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0)

  constructor(private readonly onFrame: (kind: number, payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk])
    while (this.pending.length >= 5) {
      const length = this.pending.readUInt32BE(1)
      if (this.pending.length < 5 + length) return
      const kind = this.pending.readUInt8(0)
      const payload = this.pending.subarray(5, 5 + length)
      this.pending = this.pending.subarray(5 + length)
      this.onFrame(kind, payload)
    }
  }
}
