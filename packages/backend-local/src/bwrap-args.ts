import { type Dirent, existsSync, readdirSync, readlinkSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { CooperbenchError, SANDBOX_PATCHES_DIR, SANDBOX_REPO_DIR, SANDBOX_RUNNER_PATH } from '@cooperbench/spec'

/**
 * Host paths a sandbox never sees: bwrap mounts its own `/dev` and `/proc`; `/tmp`,
 * `/workspace` and `/patches` are the sandbox's own directories; `/sys` and `/run` hold host
 * sockets and state (the Docker socket, D-Bus, other users' runtime dirs) a task has no use for.
 * Container engines' state goes too: their overlay mounts come and go as containers start and
 * stop, and a submount that vanishes while bwrap remounts `/var` read-only makes the sandbox
 * fail to start ("Unable to apply mount flags … Invalid argument") when containers run beside it.
 */
const UNSHARED_HOST_PATHS: readonly string[] = ['/proc', '/dev', '/sys', '/tmp', '/run', '/workspace', '/patches', '/var/lib/docker', '/var/lib/containerd']

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
  /**
   * Host paths bound read-only at the same path, over the sandbox's own directories (its `/tmp`):
   * what agents asked for with `shareHostPath` (a CLI installed in a checkout under `/tmp`).
   */
  hostPaths?: readonly string[]
}

/**
 * The mount arguments that rebuild the host's root read-only inside an empty root: every
 * top-level entry is bound (directories, files) or recreated (symlinks such as `/bin -> usr/bin`),
 * except {@link UNSHARED_HOST_PATHS} and `hidden`.
 *
 * Binding `/usr` whole would leave no way to add `/usr/local/bin/runner.sh`: bwrap cannot create
 * a mount point inside a read-only bind. So for every path in `mountPoints` (and `hidden`), the
 * directories above it are recreated in the sandbox's own root and only their other entries are
 * bound. The same walk keeps `hidden` paths (the workspace root, the task's dataset folder) out.
 *
 * Paths must be absolute and free of symlinks (pass `realpath`s).
 */
export function hostRootArgs(options: { mountPoints: readonly string[]; hidden: readonly string[] }): string[] {
  const holes = [...UNSHARED_HOST_PATHS, ...options.mountPoints, ...options.hidden]
  const args: string[] = []
  shareDirectory('/', holes, options.hidden, args)
  return args
}

function shareDirectory(dir: string, holes: readonly string[], hidden: readonly string[], args: string[]): void {
  let entries: Dirent[]
  try {
    entries = readdirSync(dir, { withFileTypes: true })
  } catch {
    // Unreadable (e.g. a home directory at 0711): share it whole and cover what must stay hidden.
    args.push('--ro-bind', dir, dir)
    for (const path of hidden) if (isInside(path, dir)) args.push('--tmpfs', path, '--remount-ro', path)
    return
  }
  if (dir !== '/') args.push('--dir', dir)
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = dir === '/' ? `/${entry.name}` : `${dir}/${entry.name}`
    if (holes.includes(path)) continue
    if (entry.isDirectory() && holes.some((hole) => isInside(hole, path))) {
      shareDirectory(path, holes, hidden, args)
    } else if (entry.isSymbolicLink()) {
      const target = readLink(path)
      if (target !== null) args.push('--symlink', target, path)
    } else if (entry.isDirectory() || entry.isFile()) {
      // `-try`: an entry deleted after this listing (another run's temp folder) is skipped, where
      // `--ro-bind` would fail every sandbox created from this list.
      args.push('--ro-bind-try', path, path)
    }
    // Sockets, fifos and devices at this level are host plumbing; leave them out.
  }
}

/**
 * The complete bwrap argument list up to (not including) the per-command part: namespaces,
 * the read-only host from {@link hostRootArgs}, and the sandbox's own writable directories.
 */
export function sandboxArgs(hostRoot: readonly string[], mounts: SandboxMounts, network: 'own' | 'joined' | 'host' = 'own'): string[] {
  return [
    // Every namespace, so no network (only a private loopback) and a private pid space, whose
    // collapse takes every process of the command with it when bwrap is killed. A command that
    // joined its sandbox's network namespace (see SandboxNetwork) keeps that one; with the
    // backend's `network` option every command shares this machine's network.
    ...(network === 'joined' ? ['--unshare-user', '--unshare-ipc', '--unshare-pid', '--unshare-uts', '--unshare-cgroup-try'] : ['--unshare-all']),
    ...(network === 'host' ? ['--share-net'] : []),
    '--die-with-parent',
    // setsid: a sandboxed process cannot push keystrokes into a terminal of ours (TIOCSTI).
    '--new-session',
    ...hostRoot,
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
    // The directories created above (/workspace, /usr/local/bin, ...) live in bwrap's root tmpfs;
    // without this a command could write there and believe the host is writable.
    '--remount-ro',
    '/',
  ]
}

/**
 * How one command is started: bwrap's options go through file descriptor 3 (`--args 3`), so
 * that neither the host paths they name nor their length (one bind per entry of a directory
 * above a mount point) show up in the command line that `ps` shows inside the sandbox.
 */
export interface BwrapInvocation {
  /** bwrap's own argv: `--args 3 -- <command argv>`. */
  argv: string[]
  /** NUL-terminated options to write to file descriptor 3. */
  fd3: string
}

/**
 * The file descriptor bwrap writes its JSON status to (`--json-status-fd`): the child's pid, and
 * `{ "exit-code": N }` only once the sandbox was set up and the command exec'ed. A status with
 * no exit code means the command never ran (see {@link commandExecuted}). It is the fd the kit's
 * `startHostCommand` reads into `fd4` when given `fd3`.
 */
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

/**
 * Host variables that say where a toolchain lives. HOME inside is the sandbox's empty /tmp, so a
 * proxy such as rustup's `cargo` or a pyenv shim that looks under HOME would find nothing and
 * fail like a broken test. Paths and version pins only, never credentials.
 */
const TOOLCHAIN_VARIABLES: readonly string[] = ['RUSTUP_HOME', 'RUSTUP_TOOLCHAIN', 'PYENV_ROOT', 'PYENV_VERSION', 'GOROOT', 'JAVA_HOME']

/**
 * The environment every sandboxed command starts from. Nothing of the caller's environment
 * leaks in (API keys, tokens) except PATH, which is how the host tools are found, and
 * {@link TOOLCHAIN_VARIABLES}.
 */
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

/**
 * How a sandbox can show the host path `path` (absolute, no symlinks) that an agent asks for
 * (`shareHostPath`): `visible` when the read-only host root already shows it, `bind` when it
 * lies under the host's `/tmp`, which the sandbox's own `/tmp` covers, or the reason it may not
 * be shown: a `hidden` path (the dataset folder, the log folder), or host plumbing such as `/run`.
 */
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
  return ![...UNSHARED_HOST_PATHS, ...hidden].some((dir) => isInside(path, dir))
}

function readLink(path: string): string | null {
  try {
    return readlinkSync(path)
  } catch {
    return null
  }
}
