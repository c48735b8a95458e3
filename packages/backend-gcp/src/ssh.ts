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

export function generateRunKeyPair(): RunKeyPair {
  const pair = utils.generateKeyPairSync('ed25519', { comment: 'cooperbench-run' })
  return { privateKey: pair.private, publicKey: pair.public.trim() }
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
 * OpenSSH serves at most 10 sessions (`MaxSessions`) on one connection; past that a channel open
 * fails. Each connection carries at most this many commands at once, and more connections are
 * opened as needed.
 */
const CHANNELS_PER_CONNECTION = 8

interface Session {
  client: Promise<Client>
  channels: number
  broken: boolean
}

/**
 * The SSH connections to one VM, shared by all its sandboxes (each command is a channel on a
 * connection with room; another connection is opened when all are busy). Connects with retries
 * while the VM boots; a dropped connection fails the commands on it (a preempted or deleted VM)
 * and later commands connect again.
 */
export class VmConnection {
  private readonly sessions: Session[] = []
  private closed = false

  constructor(private readonly target: SshTarget) {}

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
  async run(command: string, options: RemoteCommand = {}): Promise<RemoteResult> {
    const session = this.session()
    session.channels++
    try {
      const client = await session.client
      const channel = await new Promise<ClientChannel>((resolve, reject) => {
        client.exec(command, (error, stream) => (error ? reject(error) : resolve(stream)))
      })
      return await new Promise<RemoteResult>((resolve, reject) => {
        let result: RemoteResult | null = null
        channel.on('data', (chunk: Buffer) => options.onStdout?.(chunk))
        channel.stderr.on('data', (chunk: Buffer) => options.onStderr?.(chunk))
        channel.on('exit', (code: number | null, signal?: string) => {
          result = { code: code ?? (signal ? 128 + signalNumber(signal) : -1), signal: signal ?? null }
        })
        channel.on('close', () => (result ? resolve(result) : reject(new Error(`the SSH channel to ${this.target.host} closed without an exit status`))))
        channel.on('error', reject)
        if (options.stdin && options.stdin.length > 0) channel.end(Buffer.from(options.stdin.buffer, options.stdin.byteOffset, options.stdin.byteLength))
        else channel.end()
      })
    } finally {
      session.channels--
    }
  }

  /** Runs `command` with its stdin and stdout as streams; the channel counts against its connection until it closes. */
  async open(command: string): Promise<RemoteStream> {
    const session = this.session()
    session.channels++
    let channel: ClientChannel
    try {
      const client = await session.client
      channel = await new Promise<ClientChannel>((resolve, reject) => {
        client.exec(command, (error, stream) => (error ? reject(error) : resolve(stream)))
      })
    } catch (error) {
      session.channels--
      throw error
    }
    channel.on('error', () => {})
    channel.stderr.resume()
    channel.once('close', () => session.channels--)
    const ended = new Promise<void>((resolve) => {
      channel.once('exit', () => resolve())
      channel.once('close', () => resolve())
    })
    return { stdin: channel, stdout: channel, ended, close: () => channel.close() }
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

/** A shell word: `'…'` with embedded quotes escaped, so any argument passes through a remote shell unchanged. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`
}

const SIGNALS: Record<string, number> = { HUP: 1, INT: 2, KILL: 9, TERM: 15, PIPE: 13, ABRT: 6, SEGV: 11 }
function signalNumber(signal: string): number {
  return SIGNALS[signal.replace(/^SIG/, '')] ?? 0
}
