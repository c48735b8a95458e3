import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { isProcessAlive } from '@cooperbench/spec-utils/host'
import { RunFiles } from './layout.js'

/** What `run.lock` says of the run that holds a run folder. */
export interface RunLockHolder {
  pid: number
  /** Start time of the process (/proc), so that a recycled pid is not taken for the holder. */
  pid_start_time: string | null
  host: string
  started_at: string
}

/** The holder a lock's text names, or null when it names none (a torn or foreign file). */
export function parseRunLockHolder(text: string): RunLockHolder | null {
  try {
    const value = JSON.parse(text) as Partial<RunLockHolder>
    if (!Number.isInteger(value.pid) || typeof value.host !== 'string') return null
    return { pid: value.pid!, pid_start_time: value.pid_start_time ?? null, host: value.host, started_at: String(value.started_at ?? '') }
  } catch {
    return null
  }
}

/** Whether the lock's holder still runs: false when gone (or unnamed), null when it cannot be told (another host). */
export function runLockHolderAlive(holder: RunLockHolder | null): boolean | null {
  return holder === null ? false : isProcessAlive({ pid: holder.pid, pidStartTime: holder.pid_start_time, hostname: holder.host })
}

/** The run folder's lock, when it has one: its holder, and whether that still runs (`run` and `eval` hold it while they work). */
export async function readRunLock(folder: string): Promise<{ holder: RunLockHolder | null; alive: boolean | null } | null> {
  const text = await readFile(join(folder, RunFiles.lock), 'utf8').catch(() => null)
  if (text === null) return null
  const holder = parseRunLockHolder(text)
  return { holder, alive: runLockHolderAlive(holder) }
}
