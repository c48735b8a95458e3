import type { ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'

/**
 * Signals the process group `leader` (spawned `detached`) leads, only while the number can still
 * be its own: after the leader exited, the kernel reuses it once no process of the group is
 * left, and `process.kill(-pid)` could kill a stranger's group. So an exited leader's group is
 * signalled only when no process has that pid (`/proc/<pid>`; the kernel does not reuse a number
 * a group still carries); without /proc it is left alone. Returns whether a signal was sent.
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
