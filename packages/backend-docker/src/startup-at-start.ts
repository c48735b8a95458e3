import { containerStartupScript, LOGIN_PATH_HOOK_FILE, type StartupProbeResult } from '@cooperbench/backend-kit'
import { type Duplex, Writable } from 'node:stream'
import type Docker from 'dockerode'

/**
 * The startup check run by the container's own first process instead of an exec: the check's
 * script, then a line with its exit status, then the idle `sleep` that keeps the container. One
 * engine round trip fewer per sandbox (an exec is a create, a start and an inspect). Only for
 * images that run as root, as the check must: an image with another user keeps the exec check.
 */

/** Run once as root when a sandbox starts: `/patches`, the PATH hook, then the repository's HEAD (the PATH is the image config's). */
export const STARTUP_SCRIPT = containerStartupScript(false)

/** What the first process prints after the check: `::cooperbench-startup-exit=<status>`. */
const EXIT_MARKER = '::cooperbench-startup-exit='
/** A check prints two short lines, or an error; more than this is not read. */
const MAX_OUTPUT_BYTES = 64 * 1024

/** The container's entrypoint: the check in a subshell (its `exit` ends only that), its status, then `sleep`. */
export function startupEntrypoint(keepAliveSeconds: number): string[] {
  // The exit line goes to both streams, which the engine copies apart: both seen, both are complete.
  const script = [
    '(',
    STARTUP_SCRIPT,
    ')',
    'cb_status=$?',
    `printf '\\n${EXIT_MARKER}%s\\n' "$cb_status"`,
    `printf '\\n${EXIT_MARKER}%s\\n' "$cb_status" >&2`,
    'exec sleep "$2"',
  ].join('\n')
  return ['sh', '-c', script, 'cooperbench-startup', LOGIN_PATH_HOOK_FILE, String(keepAliveSeconds)]
}

/** Whether an image's `Config.User` is root (none, `root` or uid 0, any group); `null` (not inspected) is not known to be. */
export function runsAsRoot(user: string | null): boolean {
  if (user === null) return false
  const name = user.split(':')[0]!.trim()
  return name === '' || name === 'root' || name === '0'
}

/**
 * The check's output, from the attach stream (attached before the start). `result` resolves once
 * the exit line has come on both streams, or with exit code `null` when the stream ends first
 * (the container died) or `close` is called.
 */
export class StartupAtStart {
  readonly result: Promise<StartupProbeResult>
  private readonly stdout = new StreamText()
  private readonly stderr = new StreamText()
  private settle!: (result: StartupProbeResult) => void

  constructor(
    private readonly stream: Duplex,
    demux: (stream: Duplex, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream) => void,
  ) {
    this.result = new Promise((resolve) => {
      this.settle = resolve
    })
    demux(stream, this.sink(this.stdout), this.sink(this.stderr))
    const ended = () => this.finish(null)
    stream.once('end', ended)
    stream.once('close', ended)
    stream.on('error', ended)
  }

  /** Stops reading: the result, if not in yet, has exit code `null`. */
  close(): void {
    this.finish(null)
  }

  private check(): void {
    const status = this.stdout.exitStatus()
    if (status === null || this.stderr.exitStatus() === null) return
    this.finish(status)
  }

  private finish(exitCode: number | null): void {
    const stdout = this.stdout.beforeExitLine()
    this.settle({ exitCode, output: `${stdout}${this.stderr.beforeExitLine()}`, head: stdout })
    this.stream.destroy()
  }

  private sink(into: StreamText): Writable {
    const check = () => this.check()
    return new Writable({
      write(chunk: Buffer, _encoding, done) {
        into.add(chunk.toString('utf8'))
        check()
        done()
      },
    })
  }
}

/** What one stream of the check printed (bounded), and the exit line once it has come whole. */
class StreamText {
  private text = ''

  add(text: string): void {
    this.text = bounded(this.text + text)
  }

  /** The status on a whole exit line, or null before it. */
  exitStatus(): number | null {
    const at = this.text.indexOf(EXIT_MARKER)
    if (at < 0) return null
    const line = this.text.slice(at + EXIT_MARKER.length)
    const end = line.indexOf('\n')
    return end < 0 ? null : Number(line.slice(0, end))
  }

  beforeExitLine(): string {
    const at = this.text.indexOf(EXIT_MARKER)
    return at < 0 ? this.text : this.text.slice(0, at)
  }
}

function bounded(text: string): string {
  return text.length > MAX_OUTPUT_BYTES ? text.slice(0, MAX_OUTPUT_BYTES) : text
}

/** Attaches to a created, not yet started container for what its first process prints. */
export async function attachForStartup(
  container: Docker.Container,
  demux: (stream: Duplex, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream) => void,
): Promise<StartupAtStart> {
  const stream = (await container.attach({ stream: true, stdout: true, stderr: true, hijack: true })) as Duplex
  return new StartupAtStart(stream, demux)
}
