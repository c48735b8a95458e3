import { type ChildProcess, spawn } from 'node:child_process'
import { CooperbenchError } from '@cooperbench/spec'
import { PORT_RELAY_SCRIPT, type RelayChannel, signalProcessGroup } from '@cooperbench/backend-kit'
import { SYSTEM_ONLY_ROOT } from './bwrap-args.js'

/**
 * The nsenters that joined a holder's namespace once: that right is this process's (its
 * capabilities), not the holder's, so later holders skip the `nsenter … true` probe (two processes
 * a sandbox). A holder that died at once fails the first command's nsenter, which
 * {@link SandboxNetwork.ensureHolder} then replaces. A refusal is not remembered: one failed spawn
 * must not cost every later sandbox its private loopback.
 */
const joiners = new Set<string>()

/**
 * One private network namespace per sandbox, kept by a holder (a bwrap running `sleep infinity`) and entered by each command with
 * `nsenter`: a command's server is reachable from the sandbox's other commands and via {@link relayChannel}, never from the host's
 * network. Without nsenter, or as a user who may not join (only root may), a loopback per command.
 */
export class SandboxNetwork {
  /** Set when the holder exits: its namespace is gone with it. */
  private holderExited = false
  private closed = false
  private reviving: Promise<void> | undefined

  private constructor(
    private holder: ChildProcess,
    private pid: number,
    private readonly bwrap: string,
    private readonly nsenter: string,
  ) {
    this.watch(holder)
  }

  /** Starts the holder; null when this machine cannot (the caller keeps a loopback per command). */
  static async start(bwrap: string, nsenter: string | null): Promise<SandboxNetwork | null> {
    if (nsenter === null) return null
    const started = await spawnHolder(bwrap)
    const network = started === null ? null : new SandboxNetwork(started.holder, started.pid, bwrap, nsenter)
    // Joining takes CAP_SYS_ADMIN where the caller lives: other users than root keep a loopback per command.
    if (network === null || !(joiners.has(nsenter) || (await network.canJoin()))) {
      network?.close()
      started?.holder.kill('SIGKILL')
      return null
    }
    return network
  }

  /**
   * A holder killed from outside (memory pressure, another process's cleanup) takes the namespace along, failing later `nsenter`s;
   * the sandbox's state is its workspace, so a new holder gives it a fresh loopback. Rejects (SANDBOX_FAILED) when none can start.
   */
  async ensureHolder(): Promise<void> {
    if (!this.holderExited || this.closed) return
    this.reviving ??= (async () => {
      const started = await spawnHolder(this.bwrap)
      // Terminated meanwhile: the new holder is nobody's.
      if (this.closed) started?.holder.kill('SIGKILL')
      if (this.closed) return
      if (started === null) {
        const message = 'the network-namespace holder of a local sandbox died and a new one could not be started'
        throw new CooperbenchError('SANDBOX_FAILED', message, {
          hint: 'The machine may be out of processes or memory; the pair is retried by a rerun.',
        })
      }
      this.holder = started.holder
      this.pid = started.pid
      this.holderExited = false
      this.watch(started.holder)
    })().finally(() => {
      this.reviving = undefined
    })
    await this.reviving
  }

  private watch(holder: ChildProcess): void {
    holder.once('exit', () => {
      if (holder === this.holder) this.holderExited = true
    })
  }

  private canJoin(): Promise<boolean> {
    return new Promise((resolve) => {
      const probe = spawn(this.nsenter, [...this.enterArgs(), 'true'], { stdio: 'ignore' })
      probe.once('error', () => resolve(false))
      probe.once('exit', (code) => {
        if (code === 0) joiners.add(this.nsenter)
        resolve(code === 0)
      })
    })
  }

  /** `argv` run inside the namespace. */
  wrap(argv: readonly string[]): string[] {
    return [this.nsenter, ...this.enterArgs(), ...argv]
  }

  /** A connection to `port` on the sandbox's loopback, over the stdio of a relay in the namespace. */
  relayChannel(port: number): Promise<RelayChannel> {
    // A process group of its own: the script's two `cat`s hold the connection, not only bash.
    const child = spawn(this.nsenter, [...this.enterArgs(), 'bash', '-c', PORT_RELAY_SCRIPT, 'cooperbench-relay', String(port)], {
      stdio: ['pipe', 'pipe', 'ignore'],
      detached: true,
    })
    const close = () => {
      child.stdin.destroy()
      child.stdout.destroy()
      signalProcessGroup(child)
    }
    return new Promise((resolve, reject) => {
      // Also after it started: a kill of a command that already exited may report an error.
      child.on('error', reject)
      child.once('spawn', () => resolve({ input: child.stdin, output: child.stdout, close }))
    })
  }

  close(): void {
    this.closed = true
    // A holder that already died leaves nothing: bwrap's --die-with-parent took its `sleep`.
    signalProcessGroup(this.holder)
  }

  private enterArgs(): string[] {
    // The network namespace only: each command's bwrap then makes its user namespace, not nested in the holder's.
    return ['--target', String(this.pid), '--net', '--']
  }
}

/** A bwrap with its own user and network namespaces running `sleep infinity`, and its inner pid. */
async function spawnHolder(bwrap: string): Promise<{ holder: ChildProcess; pid: number } | null> {
  const args = ['--unshare-user', '--unshare-net', '--die-with-parent', ...SYSTEM_ONLY_ROOT, '--info-fd', '3', 'sleep', 'infinity']
  const holder = spawn(bwrap, args, {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    detached: true,
  })
  holder.unref()
  const info = holder.stdio[3] as NodeJS.ReadableStream | null
  const pid = await new Promise<number | null>((resolve) => {
    let text = ''
    const timer = setTimeout(() => resolve(null), 5000)
    holder.once('error', () => resolve(null))
    holder.once('exit', () => resolve(null))
    info?.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8')
      const match = /"child-pid"\s*:\s*(\d+)/.exec(text)
      if (match) {
        clearTimeout(timer)
        resolve(Number(match[1]))
      }
    })
  })
  if (pid === null) {
    holder.kill('SIGKILL')
    return null
  }
  return { holder, pid }
}
