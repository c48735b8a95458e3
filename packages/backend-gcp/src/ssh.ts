import type { Readable, Writable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import ssh2, { type ClientChannel } from 'ssh2'

// ssh2 is CommonJS: its classes come from the default export under Node's ESM loader.
const { Client, utils } = ssh2
type Client = InstanceType<typeof Client>

/** A key pair for one run: the public half goes into the VMs' metadata, the private half never leaves this process. */
export interface RunKeyPair {
  privateKey: string
  /** `ssh-ed25519 AAAA… cooperbench-run`. */
  publicKey: string
}

/**
 * A fresh ed25519 pair. ssh2's generator drops a public key's leading zero byte, so about one pair
 * in 256 does not parse and sshd refuses it (mscdex/ssh2#1390, #1513): such a pair is drawn again.
 */
export function generateRunKeyPair(): RunKeyPair {
  for (let attempt = 0; attempt < 32; attempt++) {
    const pair = utils.generateKeyPairSync('ed25519', { comment: 'cooperbench-run' })
    if (isWholeEd25519Pair(pair.private, pair.public)) return { privateKey: pair.private, publicKey: pair.public.trim() }
  }
  throw new Error('could not generate an ed25519 key pair that parses')
}

/** An ed25519 public key blob: the type name and the 32-byte key, each with its 4-byte length. */
const ED25519_PUBLIC_BLOB_BYTES = 4 + 'ssh-ed25519'.length + 4 + 32

/** Whether both halves parse, agree, and the public key has all its 32 bytes. */
export function isWholeEd25519Pair(privateKey: string, publicKey: string): boolean {
  const parsedPrivate = utils.parseKey(privateKey)
  const parsedPublic = utils.parseKey(publicKey)
  if (parsedPrivate instanceof Error || parsedPublic instanceof Error) return false
  const privateBlob = (Array.isArray(parsedPrivate) ? parsedPrivate[0] : parsedPrivate)?.getPublicSSH()
  const publicBlob = (Array.isArray(parsedPublic) ? parsedPublic[0] : parsedPublic)?.getPublicSSH()
  return privateBlob !== undefined && publicBlob !== undefined && publicBlob.length === ED25519_PUBLIC_BLOB_BYTES && publicBlob.equals(privateBlob)
}

export interface SshTarget {
  host: string
  port: number
  username: string
  privateKey: string
}

/** What one remote command did. */
export interface RemoteResult {
  code: number
  /** The signal that ended it, when one did. */
  signal: string | null
}

/** A remote command whose stdin and stdout stay open as streams (the port relay). */
export interface RemoteStream {
  stdin: Writable
  stdout: Readable
  /** Settles when the command has exited or the channel closed. */
  ended: Promise<void>
  /** Closes the channel at once (sshd then closes the command's stdio). */
  close(): void
}

export interface RemoteCommand {
  stdin?: Uint8Array
  onStdout?(chunk: Buffer): void
  onStderr?(chunk: Buffer): void
}

/**
 * OpenSSH serves at most 10 sessions (`MaxSessions`) a connection and frees one only once it read
 * our close of its channel, so quick short commands can exceed it: with 8 a connection, Debian's
 * sshd 9.2 refused 190 of 1,000 `true`s run 16 at a time, 12 with 6, none with 5. More
 * connections are opened as needed, and a refusal is tried again.
 */
const CHANNELS_PER_CONNECTION = 5

/** The waits before trying a refused channel again (about 6 s in all): a refusal ran nothing, so another try is safe. */
const REFUSAL_RETRY_MS = [25, 50, 100, 200, 400, 800, 1_600, 3_200] as const

/** The VM's sshd refused a command's channel or exec every time: the connection is alive and the command never ran. */
export class ChannelRefusedError extends Error {
  override readonly name = 'ChannelRefusedError'
}

/** A refusal by a live server: a channel open answered with a failure (a numeric reason), or an exec request answered with one. */
function isRefusal(error: unknown): boolean {
  const { message, reason } = error as Error & { reason?: unknown }
  return (message.startsWith('(SSH) Channel open failure:') && typeof reason === 'number') || message === 'Unable to exec'
}

interface Session {
  client: Promise<Client>
  channels: number
  broken: boolean
}

/** The SSH connections to one VM, shared by its sandboxes (a command is a channel on one with room); a dropped one fails its commands. */
export class VmConnection {
  private readonly sessions: Session[] = []
  private closed = false

  /** `retryMs`: the waits before asking again for a refused channel, one a refusal. */
  constructor(
    private readonly target: SshTarget,
    private readonly retryMs: readonly number[] = REFUSAL_RETRY_MS,
  ) {}

  /** Connects, trying again every 250 ms until `timeoutMs` passes (sshd starts late on a booting VM). */
  async connect(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + timeoutMs
    let last: unknown
    while (Date.now() < deadline) {
      signal?.throwIfAborted()
      try {
        await this.session().client
        return
      } catch (error) {
        last = error
        await sleep(250)
      }
    }
    throw new Error(
      `no SSH connection to ${this.target.username}@${this.target.host}:${this.target.port} within ${timeoutMs / 1000} s: ${(last as Error)?.message ?? 'timed out'}`,
    )
  }

  /** Runs `command` (a shell command line on the VM), streaming its output; resolves with its exit status. */
  run(command: string, options: RemoteCommand = {}): Promise<RemoteResult> {
    return new Promise<RemoteResult>((resolve, reject) => {
      this.startChannel(command, (channel, release) => {
        // Listeners go on in ssh2's callback: a command that ends at once has its exit status in the
        // chunk that opened its channel, and a microtask later the `exit` event is already gone.
        let result: RemoteResult | null = null
        channel.on('data', (chunk: Buffer) => options.onStdout?.(chunk))
        channel.stderr.on('data', (chunk: Buffer) => options.onStderr?.(chunk))
        channel.on('exit', (code: number | null, signal?: string) => {
          result = { code: code ?? (signal ? 128 + signalNumber(signal) : -1), signal: signal ?? null }
        })
        channel.on('close', () => {
          release()
          if (result) resolve(result)
          else reject(new Error(`the SSH channel to ${this.target.host} closed without an exit status`))
        })
        channel.on('error', (error: Error) => {
          release()
          reject(error)
        })
        if (options.stdin && options.stdin.length > 0) channel.end(Buffer.from(options.stdin.buffer, options.stdin.byteOffset, options.stdin.byteLength))
        else channel.end()
      }).catch(reject)
    })
  }

  /** Runs `command` with its stdin and stdout as streams; the channel counts against its connection until it closes. */
  open(command: string): Promise<RemoteStream> {
    return new Promise<RemoteStream>((resolve, reject) => {
      this.startChannel(command, (channel, release) => {
        // As in run(): the listeners go on before ssh2 can emit the command's end.
        channel.on('error', () => {})
        channel.stderr.resume()
        const ended = new Promise<void>((resolveEnded) => {
          channel.once('exit', () => resolveEnded())
          channel.once('close', () => resolveEnded())
        })
        channel.once('close', release)
        resolve({ stdin: channel, stdout: channel, ended, close: () => channel.close() })
      }).catch(reject)
    })
  }

  /** Opens a channel for `command` and hands it to `attach` in ssh2's callback, with the function that frees its place. */
  private async startChannel(command: string, attach: (channel: ClientChannel, release: () => void) => void): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const session = this.session()
      session.channels++
      let released = false
      const release = () => {
        if (released) return
        released = true
        session.channels--
      }
      try {
        const client = await session.client
        await new Promise<void>((resolve, reject) => {
          client.exec(command, (error, channel) => {
            if (error) return reject(error)
            attach(channel, release)
            resolve()
          })
        })
        return
      } catch (error) {
        release()
        if (!isRefusal(error) || this.closed) throw error
        const wait = this.retryMs[attempt]
        if (wait === undefined) {
          throw new ChannelRefusedError(`the SSH server of ${this.target.host} refused a command ${attempt + 1} times: ${(error as Error).message}`, {
            cause: error,
          })
        }
        await sleep(wait)
      }
    }
  }

  close(): void {
    this.closed = true
    for (const session of this.sessions.splice(0)) void session.client.then((c) => c.end()).catch(() => {})
  }

  /** A connection with room for one more channel, opened when none has. */
  private session(): Session {
    if (this.closed) {
      return { client: Promise.reject(new Error(`the SSH connection to ${this.target.host} was closed`)), channels: 0, broken: true }
    }
    const open = this.sessions.find((s) => !s.broken && s.channels < CHANNELS_PER_CONNECTION)
    if (open) return open
    const session: Session = { client: Promise.resolve(undefined as unknown as Client), channels: 0, broken: false }
    const drop = () => {
      session.broken = true
      const at = this.sessions.indexOf(session)
      if (at >= 0) this.sessions.splice(at, 1)
    }
    session.client = new Promise<Client>((resolve, reject) => {
      const client = new Client()
      client
        .on('ready', () => resolve(client))
        .on('error', (error) => {
          drop()
          reject(error)
        })
        .on('close', drop)
        .connect({
          host: this.target.host,
          port: this.target.port,
          username: this.target.username,
          privateKey: this.target.privateKey,
          readyTimeout: 20_000,
          keepaliveInterval: 15_000,
        })
    })
    session.client.catch(() => {})
    this.sessions.push(session)
    return session
  }
}

const SIGNALS: Record<string, number> = { HUP: 1, INT: 2, KILL: 9, TERM: 15, PIPE: 13, ABRT: 6, SEGV: 11 }
function signalNumber(signal: string): number {
  return SIGNALS[signal.replace(/^SIG/, '')] ?? 0
}
