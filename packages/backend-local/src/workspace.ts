import { randomBytes } from 'node:crypto'
import { chmod, lstat, mkdir, readFile, readdir, readlink, realpath, rename, rm, writeFile } from 'node:fs/promises'
import { basename, dirname, join, posix } from 'node:path'
import { isProcessAlive } from '@cooperbench/backend-kit'
import { SANDBOX_PATCHES_DIR, SANDBOX_REPO_DIR } from '@cooperbench/spec'

/** The file in each workspace that lets `reap` decide whether the workspace is a leftover. */
export const WORKSPACE_RECORD_FILE = 'sandbox.json'

/** What `sandbox.json` holds: who made the workspace, and for what. */
export interface WorkspaceRecord {
  id: string
  role: string
  labels: Record<string, string>
  task: { repo: string; taskId: number }
  /** The process that created the workspace, and its start time (a recycled pid is not taken for it). */
  pid: number
  pidStartTime: string | null
  hostname: string
  createdAt: string
}

/** Where a sandbox path lives on the host: under one of the workspace's directories, or not. */
export type HostLocation = { base: string; parts: string[] } | null

/** One sandbox's private host directory: `repo/`, `patches/`, `tmp/` (bound at `/workspace/repo`, `/patches`, `/tmp`) and `sandbox.json`, unseen inside. */
export class Workspace {
  readonly repo: string
  readonly patches: string
  readonly tmp: string

  private constructor(readonly dir: string) {
    this.repo = join(dir, 'repo')
    this.patches = join(dir, 'patches')
    this.tmp = join(dir, 'tmp')
  }

  /** Creates `<root>/<id>` (private to this user) with its record, `patches/` and `tmp/`; the caller clones into `repo/`. */
  static async create(root: string, record: WorkspaceRecord): Promise<Workspace> {
    await mkdir(root, { recursive: true, mode: 0o700 })
    const real = await realpath(root)
    // Built under a hidden name naming its builder, then renamed: a workspace `reap` sees always has its record.
    const staging = stagingPath(real, record.id)
    await mkdir(staging, { mode: 0o700 })
    await writeFile(join(staging, WORKSPACE_RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`)
    await mkdir(join(staging, 'patches'))
    await mkdir(join(staging, 'tmp'))
    // As in an image: tools expect a world-writable sticky /tmp. The workspace itself is 0700.
    await chmod(join(staging, 'tmp'), 0o1777)
    const dir = join(real, record.id)
    await rename(staging, dir)
    return new Workspace(dir)
  }

  /** Opens an existing workspace directory (for `reap`). */
  static at(dir: string): Workspace {
    return new Workspace(dir)
  }

  /** Host location of a sandbox path under `/workspace/repo`, `/patches`, `/tmp` or a `shared` directory (most specific wins), as components; else null. */
  locate(sandboxPath: string, shared: ReadonlyArray<{ hostPath: string; sandboxPath: string }> = []): HostLocation {
    const path = posix.resolve(SANDBOX_REPO_DIR, sandboxPath)
    const mounts: Array<readonly [string, string]> = [
      [SANDBOX_REPO_DIR, this.repo],
      [SANDBOX_PATCHES_DIR, this.patches],
      ['/tmp', this.tmp],
      ...shared.map((dir) => [posix.resolve(dir.sandboxPath), dir.hostPath] as const),
    ]
    for (const [prefix, base] of mounts.sort(([a], [b]) => b.length - a.length)) {
      if (path === prefix) return { base, parts: [] }
      if (path.startsWith(`${prefix}/`)) return { base, parts: path.slice(prefix.length + 1).split('/') }
    }
    return null
  }

  /**
   * Deletes the workspace, read-only trees included (Go's module cache is 0555), renamed first to `.removing-<pid>-…`: a removal cut
   * short never leaves a workspace without its record under its own name, which `reap` could not recognise.
   */
  async remove(): Promise<void> {
    const trash = join(dirname(this.dir), `${REMOVING_PREFIX}${process.pid}-${basename(this.dir)}`)
    try {
      await rename(this.dir, trash)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
      await removeTree(this.dir)
      return
    }
    await removeTree(trash)
  }
}

/** Where walking a path's components from a trusted base ended up. */
export type WalkResult =
  | { kind: 'found'; path: string }
  /** Some component is a symlink: only the sandbox can resolve it (it may point at `/workspace/...`). */
  | { kind: 'symlink' }
  /** Component `missingFrom` and those after it do not exist; `path` is the full host path. */
  | { kind: 'missing'; path: string; missingFrom: number }

/** Walks `parts` below `base` without following symlinks (a sandbox's `/workspace/repo/x -> /home/me` would let a host write escape): those go inside. */
export async function walkBelow(base: string, parts: readonly string[]): Promise<WalkResult> {
  let path = base
  for (let i = 0; i < parts.length; i++) {
    path = join(path, parts[i]!)
    try {
      if ((await lstat(path)).isSymbolicLink()) return { kind: 'symlink' }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      return { kind: 'missing', path: join(base, ...parts), missingFrom: i }
    }
  }
  return { kind: 'found', path }
}

/** Readers see the old content or the new, never a torn file (temp file, then rename); an existing file's mode is kept. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const mode = await lstat(path)
    .then((stats) => stats.mode & 0o7777)
    .catch(() => undefined)
  const temp = join(posix.dirname(path), `.${posix.basename(path)}.cooperbench-${randomBytes(4).toString('hex')}`)
  try {
    await writeFile(temp, data, { flag: 'wx' })
    if (mode !== undefined) await chmod(temp, mode)
    await rename(temp, path)
  } catch (error) {
    await rm(temp, { force: true })
    throw error
  }
}

/** Reads a record; null when the directory is not a workspace or the record is unreadable. */
export async function readWorkspaceRecord(dir: string): Promise<WorkspaceRecord | null> {
  try {
    const record = JSON.parse(await readFile(join(dir, WORKSPACE_RECORD_FILE), 'utf8')) as Partial<WorkspaceRecord>
    if (typeof record.id !== 'string' || typeof record.pid !== 'number') return null
    return { labels: {}, pidStartTime: null, hostname: '', ...record } as WorkspaceRecord
  } catch {
    return null
  }
}

/** Workspace directories under `root` (hidden entries such as the clone cache are not). */
export async function listWorkspaceDirs(root: string): Promise<string[]> {
  const names = await readdir(root).catch(() => [] as string[])
  return ownedByThisUser(names.filter((name) => !name.startsWith('.')).map((name) => join(root, name)))
}

/** The paths this user owns: another user's workspaces in a shared temp folder are theirs to list and remove. */
async function ownedByThisUser(paths: string[]): Promise<string[]> {
  const uid = process.getuid?.()
  if (uid === undefined) return paths
  const owners = await Promise.all(
    paths.map((path) =>
      lstat(path).then(
        (stats) => stats.uid,
        () => null,
      ),
    ),
  )
  return paths.filter((_, index) => owners[index] === uid)
}

/** Whether the creator named by a record still runs; one of another machine (a shared root) counts as running. */
export function isCreatorAlive(record: Pick<WorkspaceRecord, 'pid' | 'pidStartTime' | 'hostname'>): boolean {
  return isProcessAlive(record) ?? true
}

/** `rm -rf` that also deletes trees whose directories were made read-only. */
export async function removeTree(path: string): Promise<void> {
  try {
    // Retries: a process of a killed run (a host git clone) may still be writing into the tree.
    await rm(path, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'EACCES' && code !== 'EPERM') throw error
    await makeDirectoriesWritable(path)
    await rm(path, { recursive: true, force: true, maxRetries: 2 })
  }
}

async function makeDirectoriesWritable(dir: string): Promise<void> {
  try {
    if (!(await lstat(dir)).isDirectory()) return
    await chmod(dir, 0o700)
    for (const name of await readdir(dir)) await makeDirectoriesWritable(join(dir, name))
  } catch {
    // Best effort: the second rm reports what still cannot be removed.
  }
}

/** Prefix of a workspace being built: `.creating-<pid>-<id>`. */
const STAGING_PREFIX = '.creating-'
/** Where this process builds `name` under `root`: a name `reap` removes once this process is dead. */
export function stagingPath(root: string, name: string): string {
  return join(root, `${STAGING_PREFIX}${process.pid}-${name}`)
}

/** Prefix of a workspace being removed: `.removing-<pid>-<id>`. */
const REMOVING_PREFIX = '.removing-'

/** Half-built or half-removed workspaces under `root` whose process is gone (killed during creation or removal). */
export async function abandonedStagingDirs(root: string): Promise<string[]> {
  const names = await readdir(root).catch(() => [] as string[])
  const dirs = names
    .map((name) => ({ name, pid: new RegExp(`^(?:${STAGING_PREFIX}|${REMOVING_PREFIX})(\\d+)-`).exec(name)?.[1] }))
    .filter((entry): entry is { name: string; pid: string } => entry.pid !== undefined && Number(entry.pid) !== process.pid)
    .filter((entry) => isProcessAlive({ pid: Number(entry.pid), pidStartTime: null, hostname: '' }) === false)
    .map((entry) => join(root, entry.name))
  return ownedByThisUser(dirs)
}

/** Kills host processes (by command line or cwd) still in a dead run's workspace: a `git clone` outlives its killed parent, writing on during removal. */
export async function killProcessesIn(path: string): Promise<void> {
  const dir = await realpath(path).catch(() => path)
  const pids = await readdir('/proc').catch(() => [] as string[])
  for (const pid of pids) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
    const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => '')
    if (cmdline.split('\0').some((arg) => arg === dir || arg.startsWith(`${dir}/`)) || cwd === dir || cwd.startsWith(`${dir}/`)) {
      try {
        process.kill(Number(pid), 'SIGKILL')
      } catch {}
    }
  }
}
