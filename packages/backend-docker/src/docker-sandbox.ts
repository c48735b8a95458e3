import { posix } from 'node:path'
import { type Duplex, PassThrough, type Readable } from 'node:stream'
import { type CommandOutcome, type CommandScript, commandResult, onceUntilDone, sandboxCommand, terminatedSandboxError } from '@cooperbench/backend-kit'
import { CooperbenchError, type ExecOptions, type ExecResult, type Logger, SANDBOX_REPO_DIR, type Sandbox } from '@cooperbench/spec'
import { PORT_RELAY_SCRIPT, type PortRelay, startPortRelay } from '@cooperbench/backend-kit'
import type Docker from 'dockerode'
import { packFiles, readFirstEntry, type TarEntry } from './archive.js'
import { dockerMessage, dockerStatus, isNotFound } from './docker-errors.js'
import { DockerExecution, type ExecRequest } from './docker-exec.js'

/** What a {@link DockerSandbox} is made of. */
export interface DockerSandboxInit {
  /** The container's name, which is also the sandbox id. */
  id: string
  container: Docker.Container
  /** docker-modem's stdout/stderr demultiplexer. */
  demux: (stream: Duplex, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream) => void
  /** The image's PATH, restored in login shells. */
  path: string
  maxOutputBytes: number
  logger: Logger
  /** Called once the container is gone. */
  onTerminated?: (sandbox: DockerSandbox) => void
}

/** Bound on writing or removing the script of a long command (a stuck engine must not hang exec). */
const COMMAND_SCRIPT_TIMEOUT_MS = 60_000

/** Go's os.FileMode bits in the engine's path stat. */
const MODE_DIR = 0x80000000
const MODE_SYMLINK = 0x08000000
const MAX_SYMLINK_HOPS = 8

interface PathStat {
  name: string
  size: number
  mode: number
  linkTarget: string
}

/** The engine's answer to an archive request: its headers carry the stat of the path. */
interface PathResponse {
  headers?: Record<string, string | string[] | undefined>
  resume?: () => void
}

/** The stat of the requested path (a symlink's `linkTarget` fully resolved in the container), from an archive answer's header. */
function pathStat(response: PathResponse): PathStat | null {
  const header = response.headers?.['x-docker-container-path-stat']
  if (typeof header !== 'string') return null
  return JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as PathStat
}

/** A sandbox of backend `docker`: commands are execs; files move as tar archives (any size, any bytes). */
export class DockerSandbox implements Sandbox {
  readonly id: string
  private readonly running = new Set<DockerExecution>()
  private readonly relays = new Map<number, Promise<PortRelay>>()
  private terminated = false

  constructor(private readonly init: DockerSandboxInit) {
    this.id = init.id
  }

  /** Stopped by the timeout or the signal, resolves once its processes are killed; by `terminate`, at once. */
  async exec(command: string | string[], options: ExecOptions = {}): Promise<ExecResult> {
    this.assertUsable()
    const { argv, env, cwd, script } = sandboxCommand(this.id, command, options, this.init.path)
    if (script !== null) await this.writeCommandScript(script)
    const { stdin, timeoutMs, signal } = options
    let outcome: CommandOutcome
    try {
      outcome = await this.run({ argv, cwd, env, stdin, timeoutMs, signal, maxOutputBytes: options.maxOutputBytes ?? this.init.maxOutputBytes })
    } catch (error) {
      if (script !== null) await this.removeCommandScript(script.path)
      throw error
    }
    // The script deletes itself as it starts; a command stopped before that leaves it.
    if (script !== null && outcome.stoppedBy !== null) await this.removeCommandScript(script.path)
    return commandResult(outcome)
  }

  /** A one-file archive: parents created, an existing file's mode kept (new: 0644), a symlink written through. */
  async writeFile(path: string, data: string | Uint8Array): Promise<void> {
    await this.writeFiles(new Map([[path, data]]))
  }

  /** Several files as one archive (one upload), each as {@link writeFile} would write it. */
  async writeFiles(files: ReadonlyMap<string, string | Uint8Array>): Promise<void> {
    this.assertUsable()
    try {
      const entries = await Promise.all(
        [...files].map(async ([path, data]) => ({ ...(await this.writeTarget(path)), data: typeof data === 'string' ? Buffer.from(data, 'utf8') : data })),
      )
      await this.init.container.putArchive(packFiles(entries), { path: '/' })
    } catch (error) {
      if (error instanceof CooperbenchError || this.terminated) throw this.terminated ? terminatedSandboxError(this.id) : error
      throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: cannot write ${[...files.keys()].join(', ')}: ${dockerMessage(error)}`, {
        cause: error,
      })
    }
  }

  /** Where a write of `path` lands (through a symlink) and the mode it keeps; a directory is refused. */
  private async writeTarget(path: string): Promise<{ path: string; mode: number }> {
    let target = posix.resolve(SANDBOX_REPO_DIR, path)
    const directory = () => new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: cannot write ${path}: it is a directory`)
    if (target === '/') throw directory()
    let stat = await this.stat(target)
    if (stat && stat.mode & MODE_SYMLINK && stat.linkTarget) {
      target = stat.linkTarget
      stat = await this.stat(target)
    }
    if (stat && stat.mode & MODE_DIR) throw directory()
    return { path: target, mode: stat ? stat.mode & 0o7777 : 0o644 }
  }

  /** Byte for byte; symlinks are followed. */
  async readFile(path: string): Promise<Uint8Array> {
    this.assertUsable()
    let target = posix.resolve(SANDBOX_REPO_DIR, path)
    const fail = (why: string, cause?: unknown) =>
      new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: cannot read ${path}: ${why}`, cause === undefined ? {} : { cause })
    for (let hop = 0; hop <= MAX_SYMLINK_HOPS; hop++) {
      let entry: TarEntry
      let linkTarget: string | undefined
      try {
        const archive = (await this.init.container.getArchive({ path: target })) as unknown as Readable & Pick<PathResponse, 'headers'>
        linkTarget = pathStat(archive)?.linkTarget
        entry = await readFirstEntry(archive)
      } catch (error) {
        if (this.terminated) throw terminatedSandboxError(this.id)
        if (isNotFound(error)) throw fail('no such file')
        throw fail(dockerMessage(error), error)
      }
      const type = entry.header.type ?? 'file'
      if (type === 'file' || type === 'contiguous-file') return entry.data
      if (type === 'directory') throw fail('it is a directory')
      if (type === 'symlink' && entry.header.linkname) {
        // The engine's stat of the link (sent with the archive) resolves the whole chain: one more archive, not one a hop.
        target = linkTarget || posix.resolve(posix.dirname(target), entry.header.linkname)
        continue
      }
      throw fail(`not a regular file (${type})`)
    }
    throw fail('too many levels of symbolic links')
  }

  /** Removes the container (force: no stop timeout); commands still running resolve with exit code -1 at once. */
  readonly terminate = onceUntilDone(() => this.shutdown())

  /** Through a local listener whose connections each run a relay exec, so it works with `--network none`. */
  async exposePort(port: number): Promise<string> {
    this.assertUsable()
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: cannot expose port ${port}`)
    const existing = this.relays.get(port)
    if (existing) return (await existing).url
    const relay = startPortRelay(async () => {
      this.assertUsable()
      const exec = await this.init.container.exec({
        Cmd: ['bash', '-c', PORT_RELAY_SCRIPT, 'cooperbench-relay', String(port)],
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
      })
      const stream = (await exec.start({ hijack: true, stdin: true })) as Duplex
      const output = new PassThrough()
      this.init.demux(stream, output, new PassThrough().resume())
      stream.once('end', () => output.end())
      stream.once('close', () => output.end())
      stream.on('error', () => output.end())
      return { input: stream, output, close: () => stream.destroy() }
    })
    this.relays.set(port, relay)
    return (await relay).url
  }

  /** Runs argv as an exec; the base of `exec` and of the startup check. */
  async run(request: ExecRequest): Promise<CommandOutcome> {
    this.assertUsable()
    const execution = new DockerExecution(this.init.container, request, this.init.demux)
    this.running.add(execution)
    try {
      return await execution.result
    } catch (error) {
      if (this.terminated) throw terminatedSandboxError(this.id)
      throw await this.execFailure(error)
    } finally {
      this.running.delete(execution)
    }
  }

  private async shutdown(): Promise<void> {
    this.terminated = true
    await Promise.allSettled([...this.relays.values()].map(async (relay) => (await relay).close()))
    this.relays.clear()
    for (const execution of this.running) execution.stop('terminate')
    try {
      await this.init.container.remove({ force: true, v: true })
    } catch (error) {
      // 404: already gone; 409: another removal is under way, which is what we want.
      if (!isNotFound(error) && dockerStatus(error) !== 409) {
        throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: cannot remove its container: ${dockerMessage(error)}`, {
          cause: error,
          hint: `Remove it by hand: docker rm -f ${this.id}`,
        })
      }
    }
    this.init.logger.debug(`docker: sandbox ${this.id} removed`)
    this.init.onTerminated?.(this)
  }

  /** Through an exec as the command's own user, not an archive (root's), so the script can delete itself from the sticky /tmp. */
  private async writeCommandScript(script: CommandScript): Promise<void> {
    const written = await this.run({
      argv: ['sh', '-c', 'umask 077 && cat > "$1"', 'cooperbench-write', script.path],
      cwd: '/',
      env: {},
      stdin: script.content,
      maxOutputBytes: 64 * 1024,
      timeoutMs: COMMAND_SCRIPT_TIMEOUT_MS,
    })
    if (written.exitCode !== 0) {
      const why = written.stoppedBy === 'timeout' ? 'the container did not answer' : `${written.stdout.text()}${written.stderr.text()}`.trim()
      throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: cannot write the script of a long command to ${script.path}: ${why}`, {
        hint: 'Long commands run from a script in /tmp; the container user must be able to write there.',
      })
    }
  }

  /** Best effort: a sandbox that cannot run `rm` now will not run the script either. */
  private async removeCommandScript(path: string): Promise<void> {
    if (this.terminated) return
    await this.run({ argv: ['rm', '-f', '--', path], cwd: '/', env: {}, maxOutputBytes: 64 * 1024, timeoutMs: COMMAND_SCRIPT_TIMEOUT_MS }).catch(() => {})
  }

  private async stat(path: string): Promise<PathStat | null> {
    let response: PathResponse
    try {
      response = (await this.init.container.infoArchive({ path })) as PathResponse
    } catch (error) {
      if (isNotFound(error)) return null
      throw error
    }
    response.resume?.()
    return pathStat(response)
  }

  /** Why an exec could not run: usually the container stopped (out of memory, keep-alive expired). */
  private async execFailure(error: unknown): Promise<CooperbenchError> {
    let state = ''
    try {
      const info = await this.init.container.inspect()
      if (!info.State.Running) {
        const oom = info.State.OOMKilled ? ', killed for using too much memory (raise the backend option memory)' : ''
        state = ` (the container is ${info.State.Status}, exit code ${info.State.ExitCode}${oom})`
      }
    } catch (inspectError) {
      if (isNotFound(inspectError)) state = ' (the container no longer exists)'
    }
    return new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: cannot run a command: ${dockerMessage(error)}${state}`, {
      cause: error,
    })
  }

  private assertUsable(): void {
    if (this.terminated) throw terminatedSandboxError(this.id)
  }
}
