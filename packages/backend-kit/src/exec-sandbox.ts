import { posix } from 'node:path'
import { type ExecOptions, type ExecResult, SANDBOX_REPO_DIR, type Sandbox, CooperbenchError } from '@cooperbench/spec'
import { sandboxCommand } from './long-command.js'
import { PORT_RELAY_SCRIPT, type PortRelay, type RelayChannel, startPortRelay } from './port-relay.js'

/** A `writeFile` through a command: make the parent folder, then copy standard input into the file. */
const WRITE_FILE_SCRIPT = 'mkdir -p -- "$(dirname -- "$1")" && cat > "$1"'

/**
 * The part of a `Sandbox` that a backend whose only primitive is "run argv with stdin, get
 * stdout/stderr and an exit code" (Modal's exec, `docker exec` over SSH) shares: string
 * commands through a login shell with the image's PATH (long ones from a script), and
 * `writeFile` through `cat`. The backend supplies `run`, `readFile` and `terminate`.
 *
 * A backend that can also run a command with open streams implements `openStream`; its
 * `exposePort` is then `relayPort` (core's port relay, one such command per connection), and its
 * `terminate` calls `closeRelays`.
 */
export abstract class CommandSandbox implements Sandbox {
  abstract readonly id: string
  /** The image's PATH, restored in login shells. */
  protected abstract readonly imagePath: string
  /** Throws once the sandbox was terminated. */
  protected abstract assertUsable(): void
  /** Runs `argv` in `options.cwd`, honouring the timeout, signal, stdin and output cap. */
  protected abstract run(argv: string[], options: ExecOptions & { cwd: string }): Promise<ExecResult>
  abstract readFile(path: string): Promise<Uint8Array>
  abstract terminate(): Promise<void>
  /**
   * Starts `argv` (in `/`, no time limit) with its stdin and stdout as streams, stdin sent as it
   * is written; `close()` ends the command and what it started. Optional: without it the sandbox
   * exposes no ports through {@link relayPort}.
   */
  protected openStream?(argv: string[]): Promise<RelayChannel>

  /** Exposed ports: their local relays. */
  private readonly relays = new Map<number, Promise<PortRelay>>()

  /**
   * A port a process in the sandbox listens on (127.0.0.1 inside), reachable at the returned
   * URL on this machine: a local listener whose every connection runs `bash`'s `/dev/tcp` relay
   * through {@link openStream}, so the sandbox needs no network. The same port gives the same URL.
   */
  protected async relayPort(port: number): Promise<string> {
    this.assertUsable()
    const open = this.openStream?.bind(this)
    if (!open || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: cannot expose port ${port}${open ? '' : ': the backend cannot stream a command'}`)
    }
    let relay = this.relays.get(port)
    if (!relay) {
      relay = startPortRelay(() => {
        this.assertUsable()
        return open(['bash', '-c', PORT_RELAY_SCRIPT, 'cooperbench-relay', String(port)])
      })
      this.relays.set(port, relay)
      relay.catch(() => this.relays.delete(port))
    }
    return (await relay).url
  }

  /** Closes every relay of {@link relayPort} (their connections and commands); for `terminate`. */
  protected async closeRelays(): Promise<void> {
    const relays = [...this.relays.values()]
    this.relays.clear()
    await Promise.allSettled(relays.map(async (relay) => (await relay).close()))
  }

  async exec(command: string | string[], options: ExecOptions = {}): Promise<ExecResult> {
    this.assertUsable()
    const prepared = sandboxCommand(this.id, command, options, this.imagePath)
    if (prepared.script) await this.writeFile(prepared.script.path, prepared.script.content)
    try {
      return await this.run(prepared.argv, { ...options, env: prepared.env, cwd: prepared.cwd })
    } finally {
      if (prepared.script) await this.run(['rm', '-f', '--', prepared.script.path], { cwd: '/', timeoutMs: 30_000 }).catch(() => {})
    }
  }

  async writeFile(path: string, data: string | Uint8Array): Promise<void> {
    this.assertUsable()
    const target = posix.resolve(SANDBOX_REPO_DIR, path)
    const result = await this.run(['sh', '-c', WRITE_FILE_SCRIPT, 'cooperbench-write', target], {
      cwd: '/',
      stdin: typeof data === 'string' ? Buffer.from(data, 'utf8') : data,
      timeoutMs: 10 * 60_000,
      maxOutputBytes: 64 * 1024,
    })
    if (result.exitCode !== 0) {
      throw new CooperbenchError(
        'SANDBOX_FAILED',
        `sandbox ${this.id}: cannot write ${target}: ${(result.stderr || result.stdout).trim() || `exit ${result.exitCode}`}`,
      )
    }
  }
}
