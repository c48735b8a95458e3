import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'

/**
 * Which process created a sandbox: pid, its start time (a recycled pid is not it) and host, stored with each sandbox so `reap` tells
 * a dead process's leftover from a sandbox in use.
 */
export interface ProcessIdentity {
  pid: number
  pidStartTime: string | null
  hostname: string
}

export function currentProcessIdentity(): ProcessIdentity {
  return { pid: process.pid, pidStartTime: processStartTime(process.pid), hostname: hostname() }
}

/**
 * Whether the process still runs; null when it ran on another host (its pid means nothing here). A killed process its parent has not
 * collected (a zombie: `kill -9` from a script that has not waited) still has its pid, but is dead.
 */
export function isProcessAlive(identity: ProcessIdentity): boolean | null {
  if (identity.hostname && identity.hostname !== hostname()) return null
  try {
    process.kill(identity.pid, 0)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  const stat = procStat(identity.pid)
  if (stat !== null && (stat.state === 'Z' || stat.state === 'X')) return false
  return !identity.pidStartTime || stat?.startTime === identity.pidStartTime
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); null without /proc. */
export function processStartTime(pid: number): string | null {
  return procStat(pid)?.startTime ?? null
}

/** The state (field 3: R, S, Z…) and start time (field 22) of /proc/<pid>/stat; null without /proc. */
function procStat(pid: number): { state: string; startTime: string | null } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may contain spaces and parentheses; fields resume after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return { state: fields[0] ?? '', startTime: fields[19] ?? null }
  } catch {
    return null
  }
}
