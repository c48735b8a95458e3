import { posix } from 'node:path'
import { type ExecOptions, type ExecResult, SANDBOX_REPO_DIR, type Sandbox } from '../contracts/sandbox.js'
import { CooperbenchError } from '../errors.js'
import { sandboxCommand } from './long-command.js'

/** A `writeFile` through a command: make the parent folder, then copy standard input into the file. */
const WRITE_FILE_SCRIPT = 'mkdir -p -- "$(dirname -- "$1")" && cat > "$1"'

/**
 * The part of a `Sandbox` that a backend whose only primitive is "run argv with stdin, get
 * stdout/stderr and an exit code" (Modal's exec, `docker exec` over SSH) shares: string
 * commands through a login shell with the image's PATH (long ones from a script), and
 * `writeFile` through `cat`. The backend supplies `run`, `readFile` and `terminate`.
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
      throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: cannot write ${target}: ${(result.stderr || result.stdout).trim() || `exit ${result.exitCode}`}`)
    }
  }
}
