import type { ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'

/**
 * Signals the process group that `leader` (spawned with `detached: true`) leads, but only while
 * the group's number can still be its own. While the leader runs, it is. Once the leader has
 * exited, the kernel hands its number out again as soon as no process of the group is left, and
 * a new detached process (another test's sandbox, a daemon) becomes the leader of a group of the
 * same number: `process.kill(-pid)` would then kill a stranger. So after the exit the group is
 * signalled only when no process holds the number as its pid (Linux's `/proc/<pid>`): then the
 * group, if any, is what is left of the leader's own (the kernel does not reuse a number while a
 * group still carries it). Without /proc, an exited leader's group is left alone.
 *
 * Returns whether a signal was sent.
 */
export function signalProcessGroup(leader: Pick<ChildProcess, 'pid' | 'exitCode' | 'signalCode'>, signal: NodeJS.Signals = 'SIGKILL'): boolean {
  const pid = leader.pid
  if (pid === undefined) return false
  const running = leader.exitCode === null && leader.signalCode === null
  if (!running && (!existsSync('/proc/self') || existsSync(`/proc/${pid}`))) return false
  try {
    process.kill(-pid, signal)
    return true
  } catch {
    // ESRCH: the group is gone already.
    return false
  }
}
