import type { ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'

/**
 * Signals the group `leader` (spawned `detached`) leads while the number is still its own: once the leader exited and no group
 * member is left, the kernel reuses it, and `process.kill(-pid)` could hit a stranger's group. So an exited leader's group is
 * signalled only when no process has that pid (`/proc/<pid>`; the kernel does not reuse a number a group still carries); without
 * /proc it is left alone. Returns whether a signal was sent.
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
    return false
  }
}
