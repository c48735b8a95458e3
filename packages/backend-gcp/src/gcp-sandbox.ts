import { setTimeout as sleep } from 'node:timers/promises'
import { type CapturedOutput, CommandSandbox, type CommandSandboxInit, processGroupExecArgv, processGroupKillArgv } from '@cooperbench/backend-kit'
import type { RelayChannel } from '@cooperbench/backend-kit'
import { CooperbenchError, type ExecOptions } from '@cooperbench/spec'
import { shellQuote } from '@cooperbench/spec-utils/host'
import { ChannelRefusedError, type VmConnection } from './ssh.js'

export interface GcpSandboxInit extends CommandSandboxInit {
  /** The container's name on its VM, also the sandbox id. */
  id: string
  vm: string
  connection: VmConnection
  /** Called when the VM stopped answering (preempted, deleted): the backend stops using it. */
  onVmLost(): void
}

/**
 * A sandbox of backend `gcp`: a container on a VM, driven with the VM's `docker` over SSH; each
 * connection to an exposed port is a `docker exec -i` on its own SSH channel (no port on the VM).
 */
export class GcpSandbox extends CommandSandbox<GcpSandboxInit> {
  readonly id = this.init.id

  /** The VM this sandbox's container runs on. */
  get vm(): string {
    return this.init.vm
  }

  protected async catFile(target: string): Promise<{ code: number; stdout: Uint8Array; stderr: Uint8Array }> {
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    const { code } = await this.remote(this.dockerExec(['cat', '--', target], { cwd: '/', env: {} }), {
      onStdout: (chunk) => stdout.push(chunk),
      onStderr: (chunk) => stderr.push(chunk),
    })
    return { code, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr) }
  }

  protected override async openStream(argv: string[], execId: string): Promise<RelayChannel> {
    const command = this.dockerExec(processGroupExecArgv(execId, undefined, argv), { cwd: '/', env: {} })
    const stream = await this.init.connection.open(command).catch((error: unknown) => {
      throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: cannot open a command on VM ${this.init.vm}: ${(error as Error).message}`, {
        cause: error,
      })
    })
    return this.relayChannel(execId, stream, () => stream.stdout.resume())
  }

  protected async removeSandbox(): Promise<void> {
    try {
      await this.init.connection.run(`docker rm -f ${shellQuote(this.id)} >/dev/null 2>&1 || true`)
    } catch {
      // The VM is gone (deleted, preempted): so is the container.
    }
  }

  /** Killed from outside the command (its container or VM went away) rather than by our limit: SANDBOX_FAILED. */
  protected async stoppedFromOutside(code: number, limitReached: boolean): Promise<boolean> {
    if (code === 137 && !limitReached) await this.assertStillThere()
    return false
  }

  protected async killGroup(execId: string): Promise<void> {
    await this.init.connection.run(this.dockerExec(processGroupKillArgv(execId), { cwd: '/', env: {} })).catch(() => {})
  }

  /** Throws SANDBOX_FAILED when the VM no longer answers or the container is gone. */
  private async assertStillThere(): Promise<void> {
    const probe = this.init.connection.run(`docker inspect -f '{{.State.Running}}' ${shellQuote(this.id)}`, {}).then(
      (r) => r.code === 0,
      () => false,
    )
    const answered = await Promise.race([probe, sleep(15_000, false, { ref: false })])
    if (answered || this.terminated) return
    this.init.onVmLost()
    throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: VM ${this.init.vm} or its container went away while a command ran`, {
      hint: 'The VM may have been preempted (spot) or deleted; the pair is an infrastructure failure and a rerun retries it.',
    })
  }

  private dockerExec(argv: string[], options: { cwd: string; env: Record<string, string> }): string {
    const env = Object.entries(options.env).flatMap(([key, value]) => ['-e', shellQuote(`${key}=${value}`)])
    return ['docker', 'exec', '-i', '-w', shellQuote(options.cwd), ...env, shellQuote(this.id), ...argv.map(shellQuote)].join(' ')
  }

  private async remote(command: string, options: Parameters<VmConnection['run']>[1]): Promise<{ code: number }> {
    try {
      return await this.init.connection.run(command, options)
    } catch (error) {
      if (this.terminated) return { code: -1 }
      // A server that refused a channel answered: the VM is there, only this command failed.
      if (error instanceof ChannelRefusedError) {
        throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: VM ${this.init.vm} refused the command: ${error.message}`, {
          hint: "The VM's SSH server kept refusing new commands (at its session limit, or unable to start one); the pair is an infrastructure failure and a rerun retries it.",
          cause: error,
        })
      }
      this.init.onVmLost()
      throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: the connection to VM ${this.init.vm} failed: ${(error as Error).message}`, {
        hint: 'The VM may have been preempted or deleted; the pair is an infrastructure failure and a rerun retries it.',
        cause: error,
      })
    }
  }

  protected async runWrapped(argv: string[], execId: string, options: ExecOptions & { cwd: string }, output: CapturedOutput): Promise<number> {
    const stdin = options.stdin === undefined ? undefined : typeof options.stdin === 'string' ? Buffer.from(options.stdin, 'utf8') : options.stdin
    const { code } = await this.remote(this.dockerExec(processGroupExecArgv(execId, options.timeoutMs, argv), { cwd: options.cwd, env: options.env ?? {} }), {
      ...(stdin ? { stdin } : {}),
      onStdout: (chunk) => output.stdout.push(chunk),
      onStderr: (chunk) => output.stderr.push(chunk),
    })
    return code
  }
}
