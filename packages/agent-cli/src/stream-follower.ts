import type { CliProfile, CliStreamSummary } from './profile.js'

/** The CLI's event stream read so far: complete lines only (one being written is read again at the next poll), and where the next read starts. */
export class StreamFollower {
  private lines: string[] = []
  private cached: CliStreamSummary | null = null
  /** Bytes of the stream file consumed (complete lines). */
  offset = 0

  constructor(
    private readonly profile: CliProfile,
    readonly file: string,
  ) {}

  /** Takes the complete lines of `chunk` (the file from `offset` on); returns whether any came. */
  consume(chunk: string): boolean {
    const end = chunk.lastIndexOf('\n')
    if (end < 0) return false
    const complete = chunk.slice(0, end + 1)
    this.offset += Buffer.byteLength(complete)
    this.lines.push(...complete.split('\n').filter((line) => line.trim() !== ''))
    this.cached = null
    return true
  }

  /** Replaces what was read with the whole file (after the CLI exited), a last line without newline included. */
  replace(whole: string): void {
    this.lines = whole.split('\n').filter((line) => line.trim() !== '')
    this.offset = Buffer.byteLength(whole)
    this.cached = null
  }

  /** The raw event lines, for the saved stream. */
  rawLines(): readonly string[] {
    return this.lines
  }

  summary(): CliStreamSummary {
    this.cached ??= this.profile.parseStream(this.lines)
    return this.cached
  }
}
