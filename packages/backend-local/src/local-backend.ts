import { randomBytes } from 'node:crypto'
import { existsSync, realpathSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import {
  type Backend,
  type BackendCapabilities,
  type BackendFactoryContext,
  CooperbenchError,
  type Logger,
  SANDBOX_LABELS,
  SANDBOX_RUNNER_PATH,
  type SandboxInfo,
  type SandboxSpec,
  type Task,
  type TaskSupport,
} from '@cooperbench/spec'
import { silentLogger } from '@cooperbench/spec-utils'
import { currentProcessIdentity, ManagedSandboxes, type ReapFilter, firstPrintedLine, startHostCommand } from '@cooperbench/backend-kit'
import { baseEnvironment, commandExecuted, commandInvocation, hostRootArgs, isSharedWithSandbox, sandboxArgs } from './bwrap-args.js'
import { HostToolFinder, findExecutable } from './host-tools.js'
import { SandboxNetwork } from './sandbox-network.js'
import { LocalSandbox, SETUP_ATTEMPTS } from './local-sandbox.js'
import { LOCAL_DEFAULTS, type LocalBackendOptions, defaultLocalRoot } from './options.js'
import { RepoCache } from './repo-cache.js'
import {
  Workspace,
  abandonedStagingDirs,
  stagingPath,
  isCreatorAlive,
  killProcessesIn,
  listWorkspaceDirs,
  readWorkspaceRecord,
  removeTree,
  type WorkspaceRecord,
} from './workspace.js'

/** Settings of a {@link LocalBackend}: the config options plus what only code can set. */
export interface LocalBackendSettings extends Partial<LocalBackendOptions> {
  logger?: Logger
  /** The bwrap binary; found on `searchPath` when absent. */
  bwrapPath?: string
  /** PATH that finds bwrap, git and the tasks' host tools, given to sandboxed commands; default this process's. */
  searchPath?: string
  /** More host paths the sandboxes must not see (the run's output folder); the workspace root and dataset folder always are. */
  hiddenPaths?: string[]
}

const INSTALL_BWRAP_HINT = [
  'Install bubblewrap: `sudo apt-get install bubblewrap` (Debian/Ubuntu), `sudo dnf install bubblewrap` (Fedora/RHEL),',
  '`sudo pacman -S bubblewrap` (Arch), `sudo zypper install bubblewrap` (openSUSE), `sudo apk add bubblewrap` (Alpine);',
  'or use --backend docker.',
].join(' ')

const USERNS_HINT = [
  'bubblewrap needs unprivileged user namespaces.',
  'Debian: `sudo sysctl -w kernel.unprivileged_userns_clone=1`;',
  'Ubuntu 23.10+: `sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` or an AppArmor profile for bwrap;',
  'others: check `user.max_user_namespaces` > 0.',
  'Inside a container, run it with --privileged (or seccomp/AppArmor unconfined).',
  'Or use --backend docker.',
].join(' ')

/** Backend `local`: sandboxes are bubblewrap processes on this machine, for tasks whose `cooperbench.json` lists host tools it has. */
export class LocalBackend implements Backend {
  readonly specificationVersion = 'backend-v1' as const
  readonly name = 'local'
  readonly capabilities: BackendCapabilities
  private readonly hostNetwork: boolean

  /** Absolute workspace root, symlinks resolved when it exists (bwrap mount paths must be real). */
  readonly root: string
  private readonly maxOutputBytes: number
  private readonly logger: Logger
  private readonly searchPath: string
  private readonly bwrapPath: string | undefined
  private readonly hiddenPaths: string[]
  private readonly tools: HostToolFinder
  private readonly sandboxes = new ManagedSandboxes<LocalSandbox>('local')
  private repoCache: RepoCache | undefined

  constructor(settings: LocalBackendSettings = {}) {
    this.root = realOrResolved(settings.root ?? defaultLocalRoot())
    this.maxOutputBytes = settings.maxOutputBytes ?? LOCAL_DEFAULTS.maxOutputBytes
    this.hostNetwork = settings.network ?? LOCAL_DEFAULTS.network
    this.capabilities = { isolation: 'process', network: this.hostNetwork, snapshots: false, sharedFolders: true }
    this.logger = settings.logger ?? silentLogger
    this.searchPath = settings.searchPath ?? process.env.PATH ?? ''
    this.bwrapPath = settings.bwrapPath
    this.hiddenPaths = (settings.hiddenPaths ?? []).map(realOrResolved)
    this.tools = new HostToolFinder(this.searchPath, (path) => isSharedWithSandbox(realOrResolved(path), [this.root]))
  }

  /** Checks that bwrap, git and bash exist and that bwrap can really build a sandbox here. */
  async preflight(): Promise<void> {
    const bwrap = this.requireBwrap()
    this.requireHostProgram('git')
    this.requireHostProgram('bash')
    try {
      await mkdir(this.root, { recursive: true, mode: 0o700 })
    } catch (error) {
      throw new CooperbenchError('BACKEND_UNAVAILABLE', `cannot create the sandbox root ${this.root}: ${(error as Error).message}`, {
        hint: 'Set the option `root` of backend "local" to a writable directory.',
        cause: error,
      })
    }
    // The mounts a sandbox uses, runner.sh included: a setup that cannot work fails here, not as a failed test.
    // Named as a workspace being built, so a preflight killed mid-way leaves nothing `reap` keeps.
    const probe = await mkdtemp(stagingPath(this.root, 'preflight-'))
    try {
      const mounts = { repo: join(probe, 'repo'), patches: join(probe, 'patches'), tmp: join(probe, 'tmp'), runner: join(probe, 'runner.sh') }
      await Promise.all([mkdir(mounts.repo), mkdir(mounts.patches), mkdir(mounts.tmp), writeFile(mounts.runner, '#!/bin/sh\n')])
      const invocation = commandInvocation(sandboxArgs(hostRootArgs({ mountPoints: [SANDBOX_RUNNER_PATH], hidden: [this.root] }), mounts), {
        cwd: '/',
        env: {},
        argv: ['true'],
      })
      const options = { fd3: invocation.fd3, env: {}, timeoutMs: 30_000, maxOutputBytes: 64 * 1024, rejectStartFailure: true }
      const probeOnce = () =>
        startHostCommand([bwrap, ...invocation.argv], options).outcome.catch((error: unknown) => {
          throw new CooperbenchError('BACKEND_UNAVAILABLE', `cannot run bubblewrap (${bwrap}): ${(error as Error).message}`, {
            hint: INSTALL_BWRAP_HINT,
            cause: error,
          })
        })
      let result = await probeOnce()
      // A container's mount that vanished during setup fails one start, not the next (see LocalSandbox.run).
      for (let attempt = 2; attempt <= SETUP_ATTEMPTS && /Unable to apply mount flags/.test(result.stderr.text()); attempt++) result = await probeOnce()
      if (result.exitCode !== 0) {
        const stderr = result.stderr.text().trim()
        const namespaces = /namespace|uid map|Operation not permitted|Permission denied/i.test(stderr)
        throw new CooperbenchError(
          'BACKEND_UNAVAILABLE',
          namespaces
            ? 'bubblewrap cannot create a sandbox on this machine (user namespaces are not available)'
            : `bubblewrap cannot create a sandbox on this machine (exit ${result.exitCode})`,
          {
            details: stderr ? stderr.split('\n') : [],
            hint: namespaces ? USERNS_HINT : `Run \`${bwrap} --ro-bind / / true\` to investigate, or use --backend docker.`,
          },
        )
      }
      // A bwrap before 0.4 ignores --json-status-fd: every command would look as if it never started.
      if (!commandExecuted(result.fd4)) {
        throw new CooperbenchError('BACKEND_UNAVAILABLE', `bubblewrap (${bwrap}) ran a command but did not report its exit status on --json-status-fd`, {
          hint: 'Install bubblewrap 0.4 or later (`bwrap --version`), or use --backend docker.',
        })
      }
    } finally {
      await removeTree(probe)
    }
  }

  /**
   * A task runs here when its `cooperbench.json` declares `local.hostTools`, it ships `repo.bundle` with a base commit, and every
   * listed tool is on PATH (a missing one would look like a failed test inside).
   */
  supportsTask(task: Task): TaskSupport {
    const name = `${task.repo}/${task.taskId}`
    const docker = 'run it with --backend docker'
    const hostTools = task.manifest?.local?.hostTools
    if (!task.manifest) return { ok: false, reason: `task ${name} does not declare local support (no cooperbench.json)`, hint: docker }
    if (!Array.isArray(hostTools)) {
      return { ok: false, reason: `task ${name} does not declare local support (cooperbench.json has no local.hostTools)`, hint: docker }
    }
    const { bundlePath, baseCommit } = task.source
    if (!bundlePath || !baseCommit) {
      return { ok: false, reason: `task ${name} ships no repo.bundle with a base commit`, hint: docker }
    }
    if (!existsSync(bundlePath)) return { ok: false, reason: `task ${name}: ${bundlePath} does not exist`, hint: docker }
    for (const tool of hostTools) {
      if (this.tools.find(tool) === null) {
        return {
          ok: false,
          reason: `task ${name} needs ${tool}, which is not on PATH`,
          hint: `install ${tool} (or add its directory to PATH), or ${docker}`,
        }
      }
    }
    return { ok: true }
  }

  /** A workspace with the task repository at its base commit, checked by a first command inside. */
  async createSandbox(spec: SandboxSpec, signal?: AbortSignal): Promise<LocalSandbox> {
    const { task } = spec
    const support = this.supportsTask(task)
    if (!support.ok) throw new CooperbenchError('TASK_UNSUPPORTED', support.reason, { hint: support.hint })
    const cancel = this.sandboxes.creationSignal(signal)
    const bwrap = this.requireBwrap()
    const git = this.requireHostProgram('git')

    const id = `${spec.role.toLowerCase().replace(/[^a-z0-9]+/g, '-') || 'sandbox'}-${randomBytes(4).toString('hex')}`
    return this.sandboxes.whileCreating(id, () => this.setUp(id, spec, { bwrap, git }, cancel))
  }

  /** Removes the workspace again when any step fails. */
  private async setUp(id: string, spec: SandboxSpec, programs: { bwrap: string; git: string }, cancel: AbortSignal): Promise<LocalSandbox> {
    const { task } = spec
    const { bwrap, git } = programs
    const baseCommit = task.source.baseCommit!
    let workspace: Workspace | undefined
    let sandbox: LocalSandbox | undefined
    try {
      workspace = await Workspace.create(this.root, {
        id,
        role: spec.role,
        labels: spec.labels,
        task: { repo: task.repo, taskId: task.taskId },
        ...currentProcessIdentity(),
        createdAt: new Date().toISOString(),
      })
      this.repoCache ??= new RepoCache(join(this.root, '.cache'), git, this.sandboxes.signal)
      await this.repoCache.checkout({ name: `${task.repo}-${task.taskId}`, bundlePath: task.source.bundlePath!, baseCommit }, workspace.repo, cancel)
      const runnerPath = join(task.dir, 'runner.sh')
      const runner = existsSync(runnerPath) ? realpathSync(runnerPath) : null
      // The task's dataset folder holds every feature's gold patch and tests; agents must not read them.
      const hidden = [this.root, realOrResolved(dirname(task.dir)), ...this.hiddenPaths, ...(spec.hiddenHostPaths ?? []).map(realOrResolved)]
      const hostRoot = hostRootArgs({ mountPoints: runner ? [SANDBOX_RUNNER_PATH] : [], hidden })
      const own = { repo: workspace.repo, patches: workspace.patches, tmp: workspace.tmp }
      const shared = (spec.sharedDirs ?? []).map((dir) => ({ hostPath: realOrResolved(dir.hostPath), sandboxPath: dir.sandboxPath }))
      const network = this.hostNetwork ? null : await SandboxNetwork.start(bwrap, this.tools.find('nsenter'))
      sandbox = new LocalSandbox({
        id,
        workspace,
        bwrap,
        network,
        baseArgs: (hostPaths) => sandboxArgs(hostRoot, { ...own, runner, shared, hostPaths }, this.hostNetwork ? 'host' : network ? 'joined' : 'own'),
        hidden,
        hostNetwork: this.hostNetwork,
        shared,
        env: baseEnvironment(this.searchPath),
        maxOutputBytes: this.maxOutputBytes,
        logger: this.logger,
        onTerminated: (gone) => this.sandboxes.forget(gone.id),
      })
      this.sandboxes.add(id, sandbox)
      const probe = await sandbox.exec(['git', 'rev-parse', 'HEAD'], { signal: cancel, timeoutMs: 60_000 })
      cancel.throwIfAborted()
      if (probe.exitCode !== 0 || probe.stdout.trim() !== baseCommit.toLowerCase()) {
        const printed = `${probe.stdout}${probe.stderr}`.trim()
        // The message is what eval.json and result.json record: it carries the first line printed.
        const said = printed === '' ? '' : `: ${firstPrintedLine(printed)}`
        throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${id} for ${task.repo}/${task.taskId} does not start (exit ${probe.exitCode})${said}`, {
          details: printed.split('\n'),
          hint: 'The lines above are what the sandbox printed; if bwrap itself failed, the backend preflight explains it. Or use --backend docker.',
        })
      }
      this.logger.debug(`local: sandbox ${id} ready at ${workspace.dir}`)
      return sandbox
    } catch (error) {
      if (sandbox) await sandbox.terminate().catch(() => {})
      else if (workspace) await workspace.remove().catch(() => {})
      throw error
    }
  }

  /** Removes leftover workspaces (by `ManagedSandboxes.reap`'s rules) and half-made ones; returns how many. */
  async reap(filter: ReapFilter = {}): Promise<number> {
    const self = currentProcessIdentity()
    const isCurrent = (record: WorkspaceRecord) => record.pid === self.pid && record.pidStartTime === self.pidStartTime && record.hostname === self.hostname
    const workspaces = await this.workspaces(filter.runName)
    let removed = await this.sandboxes.reap(workspaces, {
      includeLive: filter.includeLive,
      isCurrent: ({ record }) => isCurrent(record),
      isAlive: ({ record }) => isCreatorAlive(record),
      remove: async (stale) => {
        for (const { dir, record } of stale) {
          if (!isCurrent(record)) await killProcessesIn(dir)
          await Workspace.at(dir).remove()
        }
        return stale.length
      },
    })
    // Workspaces whose creation was killed half-way (no record yet): their folder names the creator.
    for (const dir of await abandonedStagingDirs(this.root)) {
      await killProcessesIn(dir)
      await removeTree(dir)
      removed++
    }
    await this.reapCacheLeftovers()
    return removed
  }

  /** Every workspace under the root; `orphaned` when its creating process is gone. */
  async listSandboxes(filter: { runName?: string } = {}): Promise<SandboxInfo[]> {
    return (await this.workspaces(filter.runName)).map(({ record }) => {
      const alive = this.sandboxes.get(record.id) !== undefined || isCreatorAlive(record)
      return { id: record.id, labels: record.labels, state: alive ? 'running' : 'orphaned', createdAt: record.createdAt, ownerAlive: alive }
    })
  }

  /** The workspaces under the root that have a record, of run `runName` when given. */
  private async workspaces(runName: string | undefined): Promise<Array<{ id: string; labels: Record<string, string>; dir: string; record: WorkspaceRecord }>> {
    const found = []
    for (const dir of await listWorkspaceDirs(this.root)) {
      const record = await readWorkspaceRecord(dir)
      if (record === null) continue
      if (runName !== undefined && record.labels[SANDBOX_LABELS.run] !== runName) continue
      found.push({ id: record.id, labels: record.labels, dir, record })
    }
    return found
  }

  /** Stops creations and mirror clones in flight, waits until they cleaned up, and terminates the open sandboxes. */
  async close(): Promise<void> {
    await this.sandboxes.close(() => this.repoCache?.settled() ?? Promise.resolve())
  }

  /** Half-made mirrors (`.tmp-<pid>-*`) of processes that died while cloning. */
  private async reapCacheLeftovers(): Promise<void> {
    const cacheDir = join(this.root, '.cache')
    const names = await readdir(cacheDir).catch(() => [] as string[])
    for (const name of names) {
      const pid = /^\.tmp-(\d+)-/.exec(name)?.[1]
      if (pid !== undefined && !isCreatorAlive({ pid: Number(pid), pidStartTime: null, hostname: '' })) {
        await removeTree(join(cacheDir, name))
      }
    }
  }

  private requireBwrap(): string {
    const bwrap = this.bwrapPath === undefined ? findExecutable('bwrap', this.searchPath) : findExecutable(this.bwrapPath, '')
    if (bwrap === null) {
      throw new CooperbenchError('BACKEND_UNAVAILABLE', 'bubblewrap (bwrap) is not installed', {
        hint: INSTALL_BWRAP_HINT,
        details: [this.bwrapPath === undefined ? `no bwrap on PATH (${this.searchPath})` : `not an executable: ${this.bwrapPath}`],
      })
    }
    return bwrap
  }

  private requireHostProgram(name: string): string {
    const found = this.tools.find(name)
    if (found === null) {
      throw new CooperbenchError('BACKEND_UNAVAILABLE', `${name} is not installed`, {
        hint: `Install ${name} (e.g. \`sudo apt-get install ${name}\`), or use --backend docker.`,
      })
    }
    return found
  }
}

/** The factory registered for backend `local`. */
export function createLocalBackend(context: BackendFactoryContext): LocalBackend {
  return new LocalBackend({ ...(context.options as Partial<LocalBackendOptions>), logger: context.logger })
}

/** The absolute path with symlinks resolved as far as it exists (bwrap and the hidden checks need real paths), the rest as given. */
function realOrResolved(path: string): string {
  const absolute = resolve(path)
  try {
    return realpathSync(absolute)
  } catch {
    const parent = dirname(absolute)
    return parent === absolute ? absolute : join(realOrResolved(parent), basename(absolute))
  }
}
