import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Writable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { NotFoundError } from 'modal'
import { ClientError, Status } from 'nice-grpc-common'
import type { ModalApp, ModalImageRef, ModalProcess, ModalSandboxHandle, ModalSurface } from './modal-surface.js'
import { FrameReader, frame, Frames } from './host-frames.js'
import { appFromName, checkCreateParams, checkExecParams, listRefusal, tagRefusal } from './modal-rules.js'
import { readStream, writeStream } from './sdk-streams.js'

/**
 * A light stand-in for Modal behind the `modal` backend's port ({@link ModalSurface}), for scale:
 * thousands of sandboxes on one small machine, where {@link dockerModalStandin}'s container per sandbox would not fit. Its
 * sandboxes live in a server process of their own (`./host-sandbox-server.ts`), as a remote
 * service's would: a sandbox is a folder there (the image's `/workspace/repo` copied from
 * `imageRepo(tag)`, plus its own `/patches`, `/tmp` and `/run`), and each exec one bubblewrap
 * process that sees the host read-only with those folders at their sandbox paths. Every call is
 * answered after `latencyMs` (creation after `createLatencyMs`), as a remote control plane would.
 *
 * What it does not stand in for: the network is the host's (`blockNetwork` is not applied),
 * nothing runs between execs, cpu and memory limits are not applied, and tunnels are absent.
 * It refuses what Modal refuses (`./modal-rules.ts`), like the Docker-backed stand-in.
 */
export interface HostModalStandin extends ModalSurface {
  /** Sandboxes of this stand-in not terminated yet. */
  liveSandboxes(): number
  /** Removes every sandbox's folder; the port is unusable after. */
  dispose(): Promise<void>
}

export interface HostModalStandinOptions {
  /** The host folder holding what the image has at `/workspace/repo` (a git checkout); null: the image does not exist. */
  imageRepo(tag: string): string | null
  /** Delay before each answer of the control plane (exec start, poll, tags, terminate); default 50 ms. */
  latencyMs?: number
  /** Delay before a creation is answered; default 1000 ms. */
  createLatencyMs?: number
  /** Where sandbox folders go; default a new folder under the OS temp dir. */
  root?: string
}

const RPC = '/modal.client.ModalClient'

interface HostSandbox {
  id: string
  appId: string
  tags: Record<string, string>
  exitCode: number | null
}

/** One call to the sandbox server: its frames, and the end (exit code, or the server's error). */
interface ServerCall {
  stdin: Writable
  stdout: PassThrough
  stderr: PassThrough
  ended: Promise<number>
  cancel(): void
}

export function hostModalStandin(options: HostModalStandinOptions): HostModalStandin {
  const latency = () => sleep(options.latencyMs ?? 50)
  const apps = new Map<string, ModalApp>()
  const sandboxes = new Map<string, HostSandbox>()
  const socketDir = mkdtempSync(join(tmpdir(), 'host-modal-socket-'))
  const socketPath = join(socketDir, 'server.sock')
  const root = options.root ?? join(socketDir, 'sandboxes')
  let server: ReturnType<typeof startServer> | undefined

  const call = async (header: Record<string, unknown>): Promise<ServerCall> => {
    server ??= startServer(socketPath, root)
    await server
    const socket = await connected(socketPath)
    const stdout = new PassThrough()
    const stderr = new PassThrough()
    const ended = new Promise<number>((resolve, reject) => {
      const reader = new FrameReader((kind, payload) => {
        if (kind === Frames.stdout) stdout.write(payload)
        else if (kind === Frames.stderr) stderr.write(payload)
        else if (kind === Frames.exit) resolve(Number(payload.toString('utf8')))
        else if (kind === Frames.failed) reject(new Error(payload.toString('utf8')))
      })
      socket.on('data', (chunk: Buffer) => reader.push(chunk))
      socket.on('error', reject)
      socket.on('close', () => {
        stdout.end()
        stderr.end()
        resolve(137)
      })
    })
    ended.catch(() => {})
    socket.write(`${JSON.stringify(header)}\n`)
    const stdin = new Writable({
      write: (chunk: Buffer, _encoding, done) => void socket.write(frame(Frames.stdin, chunk), (error) => done(error ?? null)),
      final: (done) => void socket.write(frame(Frames.stdinEnd), (error) => done(error ?? null)),
    })
    stdin.on('error', () => {})
    return { stdin, stdout, stderr, ended, cancel: () => socket.destroy() }
  }

  const exec = async (sandbox: HostSandbox, command: string[], params: { workdir?: string; env?: Record<string, string>; timeoutMs?: number }) => {
    checkExecParams(command, params)
    await latency()
    if (sandbox.exitCode !== null) throw new ClientError(`${RPC}/TaskExecStart`, Status.NOT_FOUND, `Sandbox ${sandbox.id} has already terminated`)
    const running = await call({ op: 'exec', id: sandbox.id, argv: command, workdir: params.workdir, env: params.env })
    const deadline = params.timeoutMs ? sleep(params.timeoutMs, 'deadline' as const, { ref: false }) : null
    let waited: Promise<number> | undefined
    const wait = async () => {
      const ended = await (deadline ? Promise.race([running.ended, deadline]) : running.ended)
      if (ended === 'deadline') {
        running.cancel()
        // The SDK's own words when an exec outlives its timeoutMs.
        throw new Error(`Deadline exceeded while waiting for exec ce-${randomBytes(8).toString('hex')}`)
      }
      await latency()
      return sandbox.exitCode ?? ended
    }
    return {
      stdin: writeStream(running.stdin),
      stdout: readStream(running.stdout),
      stderr: readStream(running.stderr),
      wait: () => (waited ??= wait()),
    } satisfies ModalProcess
  }

  const stop = async (sandbox: HostSandbox, exitCode: number) => {
    if (sandbox.exitCode !== null) return
    sandbox.exitCode = exitCode
    sandboxes.delete(sandbox.id)
    await (await call({ op: 'terminate', id: sandbox.id })).ended.catch(() => {})
  }

  const handle = (sandbox: HostSandbox): ModalSandboxHandle => ({
    sandboxId: sandbox.id,
    getTags: async () => (await latency(), { ...sandbox.tags }),
    poll: async () => (await latency(), sandbox.exitCode),
    tunnels: async () => (await latency(), {}),
    exec: (command, params) => exec(sandbox, command, params),
    terminate: async () => {
      await latency()
      await stop(sandbox, 137)
    },
  })

  return {
    async appFromName(name, params) {
      await latency()
      return appFromName(apps, name, params)
    },
    async imageFromRegistry(tag) {
      return { tag } satisfies ModalImageRef
    },
    async createSandbox(app, image, params) {
      checkCreateParams(params)
      await sleep(options.createLatencyMs ?? 1000)
      const refused = tagRefusal(`${RPC}/SandboxCreate`, params.tags ?? {})
      if (refused) throw refused
      if (!apps.has(app.appId)) throw new ClientError(`${RPC}/SandboxCreate`, Status.NOT_FOUND, `App ${app.appId} not found`)
      const repo = options.imageRepo(image.tag)
      if (repo === null) {
        throw new Error(`Image build for im-${randomBytes(6).toString('hex')} failed with the exception:\nfailed to pull ${image.tag}: manifest unknown`)
      }
      const id = `sb-${randomBytes(10).toString('hex')}`
      await (await call({ op: 'create', id, repo })).ended
      const sandbox: HostSandbox = { id, appId: app.appId, tags: { ...params.tags }, exitCode: null }
      sandboxes.set(id, sandbox)
      return handle(sandbox)
    },
    async *listSandboxes(params) {
      const refused = tagRefusal(`${RPC}/SandboxList`, params.tags ?? {})
      if (refused) throw listRefusal(refused)
      await latency()
      const wanted = Object.entries(params.tags ?? {})
      for (const sandbox of [...sandboxes.values()]) {
        if (params.appId && sandbox.appId !== params.appId) continue
        if (wanted.every(([key, value]) => sandbox.tags[key] === value)) yield handle(sandbox)
      }
    },
    async sandboxFromId(sandboxId) {
      await latency()
      const sandbox = sandboxes.get(sandboxId)
      if (!sandbox) throw new NotFoundError(`Sandbox with id: '${sandboxId}' not found`)
      return handle(sandbox)
    },
    close() {},
    liveSandboxes: () => sandboxes.size,
    async dispose() {
      await Promise.all([...sandboxes.values()].map((sandbox) => stop(sandbox, 137)))
      const started = await server?.catch(() => null)
      started?.stdin?.end()
    },
  }
}

/** A connection to the server; a full accept queue (EAGAIN) is waited out, as a client's gRPC channel would. */
async function connected(socketPath: string): Promise<Socket> {
  for (let attempt = 0; ; attempt++) {
    const socket = connect(socketPath)
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
      socket.once('connect', () => resolve(null))
      socket.once('error', resolve)
    })
    if (error === null) return socket
    socket.destroy()
    if (error.code !== 'EAGAIN' || attempt >= 200) throw error
    await sleep(50)
  }
}

/**
 * Starts the sandbox server, resolving once it listens. It neither keeps this process alive nor
 * outlives it: its stdin is the one thread between them, and it exits when that ends.
 */
async function startServer(socketPath: string, root: string) {
  const script = fileURLToPath(new URL('./host-sandbox-server.js', import.meta.url))
  const child = spawn(process.execPath, [script, socketPath, root], { stdio: ['pipe', 'pipe', 'inherit'] })
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`the host sandbox server exited (${code}) before listening`)))
    child.stdout.once('data', () => resolve())
  })
  child.unref()
  ;(child.stdin as unknown as { unref(): void }).unref()
  ;(child.stdout as unknown as { unref(): void }).unref()
  return child
}
