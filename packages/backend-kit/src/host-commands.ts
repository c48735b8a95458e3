import { existsSync } from 'node:fs'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type ExecOptions, type ExecResult, CooperbenchError } from '@cooperbench/spec'
import { abortedBeforeStart, type CommandOutcome, commandResult } from './command-outcome.js'
import { type HostCommandOptions, type RunningHostCommand, startHostCommand } from './host-command.js'
import { LOGIN_PATH_HOOK, sandboxCommand } from './long-command.js'
import type { SandboxPathMap } from './sandbox-path-map.js'

/** What {@link HostCommands} runs commands for. */
export interface HostCommandsInit {
  sandboxId: string
  paths: SandboxPathMap
  /** PATH of every command (restored after `/etc/profile`); default this process's. */
  path?: string
  /** Further variables of every command; nothing else of this process's environment is passed. */
  env?: Record<string, string>
  /** Default cap on each of stdout and stderr; 10 MiB. */
  maxOutputBytes?: number
}

/**
 * `Sandbox.exec` for commands that are host processes, each in its own process group, in the mapped `cwd` ({@link SandboxPathMap}).
 * Their small environment is never this process's (API keys stay out); `HOME` is the sandbox's, whose `.bash_profile` only
 * restores PATH (Debian's `/etc/profile` resets it for root): the user's own profiles never run.
 */
export class HostCommands {
  private readonly running = new Set<RunningHostCommand>()
  private stopped = false
  private readonly path: string

  constructor(private readonly init: HostCommandsInit) {
    this.path = init.path ?? process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'
  }

  /** The contract's exec; the caller checks that the sandbox is usable. */
  async exec(command: string | string[], options: ExecOptions = {}): Promise<ExecResult> {
    const prepared = sandboxCommand(this.init.sandboxId, command, options, this.path)
    if (options.signal?.aborted) return abortedBeforeStart()
    if (typeof command === 'string') await this.ensureHome()
    const script = prepared.script && this.init.paths.toHost(prepared.script.path)
    if (prepared.script && script) await writeFile(script, prepared.script.content, { mode: 0o600 })
    try {
      const { stdin, timeoutMs, signal, maxOutputBytes } = options
      const cwd = this.init.paths.toHost(prepared.cwd)
      return commandResult(await this.run(prepared.argv, { cwd, env: prepared.env, stdin, timeoutMs, signal, maxOutputBytes }))
    } finally {
      // The script deletes itself as it starts; a command stopped before that leaves it.
      if (script) await rm(script, { force: true })
    }
  }

  /** Runs argv on the host with the sandbox's environment plus `options.env`; for file fallbacks and setup. */
  async run(argv: readonly string[], options: Partial<HostCommandOptions> & { cwd: string }): Promise<CommandOutcome> {
    if (this.stopped) throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.init.sandboxId} has been terminated`)
    const env = { PATH: this.path, HOME: this.init.paths.home, LANG: 'C.UTF-8', ...this.init.paths.variables, ...this.init.env, ...options.env }
    const command = startHostCommand(argv, { ...options, env, maxOutputBytes: options.maxOutputBytes ?? this.init.maxOutputBytes ?? 10 * 1024 * 1024 })
    this.running.add(command)
    try {
      return await command.outcome
    } finally {
      this.running.delete(command)
    }
  }

  /** {@link run}, throwing SANDBOX_FAILED (with the command's stderr) unless it exits 0: for setup steps. */
  async mustRun(argv: readonly string[], options: Partial<HostCommandOptions> & { cwd: string }): Promise<CommandOutcome> {
    const outcome = await this.run(argv, options)
    if (outcome.exitCode === 0) return outcome
    const why = outcome.stderr.text().trim() || (outcome.stoppedBy ? `stopped by ${outcome.stoppedBy}` : `exit ${outcome.exitCode}`)
    throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.init.sandboxId}: ${argv.join(' ')} failed: ${why}`)
  }

  /** Kills every running command's process group and waits for them; later commands are refused. Idempotent. */
  async stopAll(): Promise<void> {
    this.stopped = true
    const running = [...this.running]
    for (const command of running) command.stop('terminate')
    await Promise.allSettled(running.map((command) => command.outcome))
  }

  /** The private home and its login profile, re-created whenever a command deleted them. */
  private async ensureHome(): Promise<void> {
    const profile = join(this.init.paths.home, '.bash_profile')
    if (existsSync(profile)) return
    await mkdir(this.init.paths.home, { recursive: true })
    await writeFile(profile, `${LOGIN_PATH_HOOK}\n`)
  }
}
