import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ManagedSandboxes, SandboxPathMap, startHostCommand } from '@cooperbench/backend-kit'
import { type Backend, type BackendCapabilities, CooperbenchError, type SandboxSpec, type Task, type TaskSupport } from '@cooperbench/spec'
import { HostFolderSandbox } from './host-folder-sandbox.js'

/** Backend `host-folders`: each sandbox a folder on this machine with the task's repository; no isolation. */
export class HostFoldersBackend implements Backend {
  readonly specificationVersion = 'backend-v1'
  readonly name = 'host-folders'
  readonly capabilities: BackendCapabilities = { isolation: 'none', network: true, snapshots: false, paths: 'mapped' }
  private readonly sandboxes = new ManagedSandboxes<HostFolderSandbox>('host-folders')

  /** `root`: where the sandboxes' folders go; default the system's temporary folder. */
  constructor(private readonly root = tmpdir()) {}

  async preflight(): Promise<void> {
    for (const tool of ['bash', 'git']) {
      const check = startHostCommand([tool, '--version'], { cwd: '/', env: { PATH: process.env.PATH ?? '' }, maxOutputBytes: 4096 })
      if ((await check.outcome).exitCode !== 0) {
        throw new CooperbenchError('BACKEND_UNAVAILABLE', `host-folders: ${tool} does not run on this machine`, { hint: `Install ${tool}.` })
      }
    }
  }

  supportsTask(task: Task): TaskSupport {
    if (task.source.bundlePath && task.source.baseCommit) return { ok: true }
    return { ok: false, reason: `${task.repo}/task${task.taskId} ships no repo.bundle`, hint: 'Use a backend that builds task images.' }
  }

  createSandbox(spec: SandboxSpec, signal?: AbortSignal): Promise<HostFolderSandbox> {
    const cancel = this.sandboxes.creationSignal(signal)
    const id = `host-folders-${randomBytes(4).toString('hex')}`
    return this.sandboxes.whileCreating(id, async () => {
      await mkdir(this.root, { recursive: true })
      const paths = new SandboxPathMap(await mkdtemp(join(this.root, `${id}-`)), spec.sharedDirs)
      const sandbox = new HostFolderSandbox(id, paths, () => this.sandboxes.forget(id))
      try {
        await mkdir(paths.patches)
        const { bundlePath, baseCommit } = spec.task.source
        const git = (...args: string[]) => sandbox.commands.mustRun(['git', ...args], { cwd: paths.root, signal: cancel })
        await git('clone', '--quiet', '--no-checkout', '--', bundlePath ?? '', paths.repo)
        await git('-C', paths.repo, 'checkout', '--quiet', '--detach', baseCommit ?? 'HEAD')
      } catch (error) {
        await sandbox.terminate()
        throw error
      }
      this.sandboxes.add(id, sandbox)
      return sandbox
    })
  }

  readonly close = (): Promise<void> => this.sandboxes.close()
}
