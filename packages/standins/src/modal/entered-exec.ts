import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { constants } from 'node:os'

/**
 * A cheaper exec for the Docker-backed Modal stand-in: instead of a Docker exec (the engine,
 * containerd and runc: ~75 ms of CPU each on a 2-core CI machine, the stand-in's tests ran ~500),
 * the command enters the container's namespaces with `nsenter` (~3 ms), as the same root user,
 * in the container's cgroups (so its cpu and memory limits hold), with the environment and working
 * directory a Docker exec gives it. Only root may enter another process's namespaces: for anyone
 * else the stand-in keeps Docker execs (see {@link canEnterContainers}).
 */

/** What a command needs to enter one container: its init's pid, cgroups, environment and working directory. */
export interface ContainerEntry {
  pid: number
  /** When that process started (`/proc/<pid>/stat`), so a pid the system gave to another process is not entered. */
  startTime: string
  /** The `cgroup.procs` files of the container's cgroups, as this machine mounts them. */
  cgroupProcs: string[]
  /** A Docker exec's environment before the exec's own: the default PATH, HOSTNAME, the container's env, HOME. */
  env: Record<string, string>
  workdir: string
}

/** The parts of `docker inspect` an entry is made from. */
export interface InspectedContainer {
  State: { Pid: number; Running: boolean }
  Config: { Env?: string[] | null; WorkingDir?: string; User?: string; Hostname?: string }
}

const NSENTER = ['/usr/bin/nsenter', '/bin/nsenter'].find((path) => existsSync(path)) ?? null

/** Docker's PATH for a container whose image sets none. */
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

/** Whether this process may run commands in containers with `nsenter` (root, with nsenter installed). */
export function canEnterContainers(): boolean {
  return NSENTER !== null && process.getuid?.() === 0
}

/** The entry of a running container of the root user; null when an exec must go through Docker (another user, not running). */
export function containerEntry(info: InspectedContainer): ContainerEntry | null {
  const user = info.Config.User ?? ''
  if (!info.State.Running || info.State.Pid <= 0 || (user !== '' && user !== 'root' && user !== '0')) return null
  const env: Record<string, string> = { PATH: DEFAULT_PATH, HOSTNAME: info.Config.Hostname ?? '' }
  for (const entry of info.Config.Env ?? []) {
    const equals = entry.indexOf('=')
    if (equals > 0) env[entry.slice(0, equals)] = entry.slice(equals + 1)
  }
  const startTime = processStartTime(info.State.Pid)
  if (startTime === null) return null
  return { pid: info.State.Pid, startTime, cgroupProcs: cgroupProcsFiles(info.State.Pid), env, workdir: info.Config.WorkingDir || '/' }
}

/** Whether the container's first process still runs (a container stopped from outside has none to enter). */
export function entryAlive(entry: ContainerEntry): boolean {
  return processStartTime(entry.pid) === entry.startTime
}

/** The start time of process `pid` in clock ticks since boot (field 22 of its stat), or null when there is none. */
function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // `pid (comm) state ...`: fields after the last parenthesis start at field 3.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null
  } catch {
    return null
  }
}

/**
 * The `cgroup.procs` file of each cgroup `pid` is in, under this machine's cgroup mounts (v1
 * hierarchies by their controllers, v2 by its type), read from `/proc`.
 */
export function cgroupProcsFiles(pid: number): string[] {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .flatMap((line) => {
      const [left, right] = line.split(' - ')
      const [fsType, , superOptions] = (right ?? '').split(' ')
      if (fsType !== 'cgroup' && fsType !== 'cgroup2') return []
      const fields = left!.split(' ')
      return [{ root: fields[3]!, mountPoint: fields[4]!, v2: fsType === 'cgroup2', options: new Set((superOptions ?? '').split(',')) }]
    })
  return readFileSync(`/proc/${pid}/cgroup`, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      const [id, controllers, ...rest] = line.split(':')
      const path = rest.join(':')
      const wanted = (controllers ?? '').split(',').filter(Boolean)
      const mount = id === '0' ? mounts.find((m) => m.v2) : mounts.find((m) => !m.v2 && wanted.every((c) => m.options.has(c)))
      if (mount === undefined || !(mount.root === '/' || path === mount.root || path.startsWith(`${mount.root}/`))) return []
      return [join(mount.mountPoint, mount.root === '/' ? path : path.slice(mount.root.length), 'cgroup.procs')]
    })
}

/**
 * On the host: put this shell in each cgroup given before `--` (the command inherits them), then
 * exec the rest. Exit 125 when a cgroup refuses it (Docker's code for an exec it could not start).
 */
const JOIN_CGROUPS = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"'
/**
 * In the container: go to the working directory (leaving OLDPWD as it was: `cd` sets it), then
 * exec the command. A directory that is not there fails as a Docker exec fails (exit 126, the
 * runtime's words).
 */
const ENTER_WORKDIR = [
  'cooperbench_had_oldpwd=${OLDPWD+x}; cooperbench_oldpwd=${OLDPWD-}',
  'cd -- "$0" 2>/dev/null || { printf "OCI runtime exec failed: exec failed: unable to start container process: chdir to cwd (\\"%s\\") set in config.json failed: no such file or directory: unknown\\n" "$0"; exit 126; }',
  'if [ -n "$cooperbench_had_oldpwd" ]; then OLDPWD=$cooperbench_oldpwd; else unset OLDPWD; fi',
  'unset cooperbench_had_oldpwd cooperbench_oldpwd',
  'exec "$@"',
].join('\n')

/**
 * Starts `command` in the container as a Docker exec would (root, the container's environment
 * with `env` over it, in `workdir` or the container's own), in a process group of its own as a
 * Docker exec is: a signal to the caller's group does not reach it.
 */
export function startEnteredExec(entry: ContainerEntry, command: readonly string[], options: { env?: Record<string, string>; workdir?: string }): ChildProcess {
  if (NSENTER === null) throw new Error('nsenter is not installed')
  const env = { ...entry.env, ...options.env }
  env.HOME ??= '/root'
  const enter = [NSENTER, '-t', String(entry.pid), '-m', '-u', '-i', '-n', '-p', '-C', '-r', '-w']
  const inContainer = ['/bin/sh', '-c', ENTER_WORKDIR, options.workdir ?? entry.workdir, ...command]
  return spawn('/bin/sh', ['-c', JOIN_CGROUPS, 'cooperbench-modal-exec', ...entry.cgroupProcs, '--', ...enter, ...inContainer], {
    env,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
}

/** A finished entered exec's exit code: its own, or 128 + the signal that killed it, as Docker reports. */
export function enteredExitCode(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code
  return 128 + (signal === null ? 9 : (constants.signals[signal] ?? 9))
}
