import { type Dirent, existsSync, readdirSync, readlinkSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { CooperbenchError, SANDBOX_PATCHES_DIR, SANDBOX_REPO_DIR, SANDBOX_RUNNER_PATH } from '@cooperbench/spec'

/**
 * Host paths a sandbox never sees: bwrap mounts its own `/dev` and `/proc`; `/tmp`, `/workspace`, `/patches` are the sandbox's;
 * `/sys` and `/run` hold host sockets and state (the Docker socket, D-Bus, other users' runtime dirs) a task has no use for.
 */
const UNSHARED_HOST_PATHS: readonly string[] = ['/proc', '/dev', '/sys', '/tmp', '/run', '/workspace', '/patches']

/**
 * Container engines' state, covered by an empty directory (`/var` is bound whole, overlay mounts and all). One vanishing while bwrap
 * makes `/var` read-only fails that command's setup ("Unable to apply mount flags"), a few times in a thousand under container
 * churn, and `LocalSandbox.run` restarts it: cheaper than one bind per `/var/lib` entry in every command.
 */
const COVERED_HOST_PATHS: readonly string[] = ['/var/lib/docker', '/var/lib/containerd']

/** bwrap options showing the system's programs, libraries and settings read-only, for the network holder's `sleep` (`--ro-bind / /` brings overlay mounts). */
export const SYSTEM_ONLY_ROOT: readonly string[] = ['/usr', '/bin', '/sbin', '/lib', '/lib64', '/etc'].flatMap((dir) => ['--ro-bind-try', dir, dir])

/** What the sandboxed command sees besides the read-only host. */
export interface SandboxMounts {
  /** Host directory bound read-write at `/workspace/repo`. */
  repo: string
  /** Host directory bound read-write at `/patches`. */
  patches: string
  /** Host directory bound read-write at `/tmp` (also `HOME`). */
  tmp: string
  /** Host file bound read-only at `/usr/local/bin/runner.sh`, when the task has one. */
  runner: string | null
  /** Host directories bound read-write at their sandbox paths (the pair's shared git remote). */
  shared?: ReadonlyArray<{ hostPath: string; sandboxPath: string }>
  /** Host paths bound read-only at the same path, over the sandbox's own `/tmp`: what agents asked for with `shareHostPath`. */
  hostPaths?: readonly string[]
}

/** The host's root as bwrap options, and the tmpfs directories {@link sandboxArgs} makes read-only after its own mounts. */
export interface HostRoot {
  args: string[]
  tmpfs: string[]
}

/**
 * Rebuilds the host's root read-only without {@link UNSHARED_HOST_PATHS}, `hidden` paths and `mountPoints` (where the sandbox mounts
 * its own files, e.g. runner.sh). Each bind makes bwrap reread the mount table, so most directories are bound whole: only the nearest
 * existing directory above each left-out path is rebuilt entry by entry, on a tmpfs (or a plain directory of a rebuilt parent), as
 * bwrap can neither mount inside a read-only bind nor hide its entries. Paths must be `realpath`s.
 */
export function hostRootArgs(options: { mountPoints: readonly string[]; hidden: readonly string[] }): HostRoot {
  const holes = outermost([...UNSHARED_HOST_PATHS, ...options.mountPoints, ...options.hidden])
  const covered = COVERED_HOST_PATHS.filter((path) => isDirectory(path) && !holes.some((hole) => isInside(path, hole)))
  const builder = new HostRootBuilder(holes, new Set([...holes.map(nearestDirectoryAbove), ...covered]), covered)
  builder.rebuild('/', 'root')
  return builder.root
}

class HostRootBuilder {
  readonly root: HostRoot = { args: [], tmpfs: [] }

  constructor(
    private readonly holes: readonly string[],
    private readonly rebuilt: ReadonlySet<string>,
    private readonly covered: readonly string[],
  ) {}

  /** Shows `dir` with its entries but the holes: on bwrap's root, a new directory of a rebuilt parent, or a tmpfs over a bound one. */
  rebuild(dir: string, on: 'root' | 'dir' | 'tmpfs'): void {
    const entries = this.covered.includes(dir) ? [] : listDirectory(dir)
    if (entries === null) {
      // Unreadable (e.g. a home directory at 0711): share it whole and cover what must stay out.
      if (on !== 'tmpfs') this.root.args.push('--ro-bind', dir, dir)
      for (const hole of this.holes) if (isInside(hole, dir) && isDirectory(hole)) this.mountTmpfs(hole)
      return
    }
    if (on === 'dir') this.root.args.push('--dir', dir)
    if (on === 'tmpfs') this.mountTmpfs(dir)
    for (const entry of entries) {
      const path = dir === '/' ? `/${entry.name}` : `${dir}/${entry.name}`
      if (this.holes.includes(path)) continue
      if (entry.isDirectory() && this.rebuilt.has(path)) {
        this.rebuild(path, 'dir')
      } else if (entry.isSymbolicLink()) {
        const target = readLink(path)
        if (target !== null) this.root.args.push('--symlink', target, path)
      } else if (entry.isDirectory() || entry.isFile()) {
        // `-try`: an entry deleted after this listing (another run's temp folder) is skipped; `--ro-bind` would fail every sandbox.
        this.root.args.push('--ro-bind-try', path, path)
        if (entry.isDirectory()) for (const inner of this.topmostRebuiltIn(path)) this.rebuild(inner, 'tmpfs')
      }
      // Sockets, fifos and devices at this level are host plumbing; leave them out.
    }
  }

  private mountTmpfs(dir: string): void {
    this.root.args.push('--tmpfs', dir)
    this.root.tmpfs.push(dir)
  }

  /** The rebuilt directories below `dir` with no other rebuilt directory between. */
  private topmostRebuiltIn(dir: string): string[] {
    const below = [...this.rebuilt].filter((path) => path !== dir && isInside(path, dir))
    return below.filter((path) => !below.some((other) => other !== path && isInside(path, other))).sort()
  }
}

/** `paths` without those that lie inside another of them. */
function outermost(paths: readonly string[]): string[] {
  return [...new Set(paths)].filter((path) => !paths.some((other) => other !== path && isInside(path, other)))
}

/** The nearest existing directory strictly above `path`. */
function nearestDirectoryAbove(path: string): string {
  let dir = dirname(path)
  while (dir !== '/' && !isDirectory(dir)) dir = dirname(dir)
  return dir
}

function listDirectory(dir: string): Dirent[] | null {
  try {
    return readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))
  } catch {
    return null
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

/** bwrap's arguments but the per-command part: namespaces, the read-only host, the sandbox's writable directories. */
export function sandboxArgs(hostRoot: HostRoot, mounts: SandboxMounts, network: 'own' | 'joined' | 'host' = 'own'): string[] {
  return [
    // Every namespace: a private loopback, and a pid space taking every process along when bwrap is killed (one in its sandbox's netns keeps that).
    ...(network === 'joined' ? ['--unshare-user', '--unshare-ipc', '--unshare-pid', '--unshare-uts', '--unshare-cgroup-try'] : ['--unshare-all']),
    ...(network === 'host' ? ['--share-net'] : []),
    '--die-with-parent',
    // setsid: a sandboxed process cannot push keystrokes into a terminal of ours (TIOCSTI).
    '--new-session',
    ...hostRoot.args,
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    '--bind',
    mounts.tmp,
    '/tmp',
    '--bind',
    mounts.repo,
    SANDBOX_REPO_DIR,
    '--bind',
    mounts.patches,
    SANDBOX_PATCHES_DIR,
    ...(mounts.runner === null ? [] : ['--ro-bind', mounts.runner, SANDBOX_RUNNER_PATH]),
    ...(mounts.shared ?? []).flatMap((dir) => ['--bind', dir.hostPath, dir.sandboxPath]),
    // `-try`: a shared path removed from the host later is left out, not a failure of every later command.
    ...(mounts.hostPaths ?? []).flatMap((path) => ['--ro-bind-try', path, path]),
    // The directories made above live in tmpfs mounts: writable, a command would believe the host is.
    ...[...hostRoot.tmpfs, '/'].flatMap((dir) => ['--remount-ro', dir]),
  ]
}

/** How one command is started: bwrap's options go through fd 3 (`--args 3`), so `ps` inside shows neither their paths nor their length. */
export interface BwrapInvocation {
  /** bwrap's own argv: `--args 3 -- <command argv>`. */
  argv: string[]
  /** NUL-terminated options to write to file descriptor 3. */
  fd3: string
}

/** The fd of bwrap's JSON status (`--json-status-fd`, read into `fd4` by `startHostCommand`): the child's pid, then `"exit-code"` once exec'ed. */
export const BWRAP_STATUS_FD = 4

/** True when bwrap's status says the command was exec'ed (not so when setting up failed). */
export function commandExecuted(status: string): boolean {
  return /"exit-code"\s*:/.test(status)
}

/** Adds what one command needs to `base`: working directory, a clean environment, its argv. */
export function commandInvocation(base: readonly string[], command: { cwd: string; env: Record<string, string>; argv: readonly string[] }): BwrapInvocation {
  const options = [...base, '--json-status-fd', String(BWRAP_STATUS_FD), '--chdir', command.cwd, '--clearenv']
  for (const [name, value] of Object.entries(command.env)) {
    if (name === '' || name.includes('=')) throw new CooperbenchError('SANDBOX_FAILED', `invalid environment variable name ${JSON.stringify(name)}`)
    options.push('--setenv', name, value)
  }
  // A NUL would end an option early and let the rest be read as more bwrap options.
  const bad = options.slice(base.length).find((option) => option.includes('\0'))
  if (bad !== undefined) throw new CooperbenchError('SANDBOX_FAILED', `a NUL byte is not allowed in a working directory or environment: ${JSON.stringify(bad)}`)
  return { argv: ['--args', '3', '--', ...command.argv], fd3: options.map((option) => `${option}\0`).join('') }
}

/** Host variables locating toolchains (HOME inside is the empty /tmp, where rustup's `cargo` or a pyenv shim finds nothing): paths and pins, no credentials. */
const TOOLCHAIN_VARIABLES: readonly string[] = ['RUSTUP_HOME', 'RUSTUP_TOOLCHAIN', 'PYENV_ROOT', 'PYENV_VERSION', 'GOROOT', 'JAVA_HOME']

/** The environment every sandboxed command starts from: of the caller's, only PATH and {@link TOOLCHAIN_VARIABLES}. */
export function baseEnvironment(path: string, hostEnv: NodeJS.ProcessEnv = process.env, hostHome: string = homedir()): Record<string, string> {
  const env: Record<string, string> = {
    PATH: path,
    HOME: '/tmp',
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    // The host's /etc/gitconfig is not the image's; a task's git commands must not depend on it.
    GIT_CONFIG_NOSYSTEM: '1',
  }
  for (const name of TOOLCHAIN_VARIABLES) {
    const value = hostEnv[name]
    if (value) env[name] = value
  }
  // rustup finds its toolchains through HOME unless told; tell it where the host's are.
  const rustup = join(hostHome, '.rustup')
  if (env.RUSTUP_HOME === undefined && hostHome !== '' && existsSync(rustup)) env.RUSTUP_HOME = rustup
  return env
}

/** How a sandbox can show a host path (`shareHostPath`): `visible` already, `bind` under the host's `/tmp` (covered by the sandbox's), or why not. */
export function hostPathSharing(path: string, hidden: readonly string[]): { kind: 'visible' | 'bind' } | { kind: 'refused'; reason: string } {
  const inHidden = hidden.find((dir) => isInside(path, dir))
  if (inHidden !== undefined) return { kind: 'refused', reason: `it lies in ${inHidden}, which sandboxes must not see` }
  if (isSharedWithSandbox(path, hidden)) return { kind: 'visible' }
  if (isInside(path, '/tmp') && path !== '/tmp') return { kind: 'bind' }
  return { kind: 'refused', reason: 'sandboxes see their own directory there, or none (host plumbing)' }
}

/** True when `path` is `dir` itself or lies below it. */
export function isInside(path: string, dir: string): boolean {
  if (dir === '/') return path.startsWith('/')
  return path === dir || path.startsWith(`${dir}/`)
}

/** True when `path` (absolute, no symlinks) is visible inside a sandbox that hides `hidden`. */
export function isSharedWithSandbox(path: string, hidden: readonly string[]): boolean {
  return ![...UNSHARED_HOST_PATHS, ...COVERED_HOST_PATHS, ...hidden].some((dir) => isInside(path, dir))
}

function readLink(path: string): string | null {
  try {
    return readlinkSync(path)
  } catch {
    return null
  }
}
