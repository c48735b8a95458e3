import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { link, readFile, rm, rmdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { currentProcessIdentity, isProcessAlive } from '@cooperbench/spec-utils/host'
import { CooperbenchError } from '@cooperbench/spec'
import { RunFiles, fileSystemError, makeDirectory, removeDeadWritersTemps } from '@cooperbench/results'
import { isoNow } from '@cooperbench/spec-utils/records'

/** What `run.lock` says of the run that holds a run folder. */
export interface RunLockHolder {
  pid: number
  /** Start time of the process (/proc), so that a recycled pid is not taken for the holder. */
  pid_start_time: string | null
  host: string
  started_at: string
}

/** A held run folder; `release` removes the lock (only this holder's) and a folder the run left empty. */
export interface RunLock {
  readonly path: string
  release(): Promise<void>
}

/** How often a dead holder's lock is taken over before giving up (other runs taking it at the same time). */
const TAKE_OVER_ATTEMPTS = 5

/**
 * One run at a time owns a folder, so two runs of one name never write the same pairs. The lock appears whole (a temp file hard-linked
 * into place). A gone holder's (pid not running here, a zombie, recycled) is taken over; a live one's, or another host's, is RUN_IN_USE
 * naming it. Held, it clears dead writers' temp files.
 */
export async function acquireRunLock(folder: string, runName: string): Promise<RunLock> {
  const created = missingFolders(folder)
  await makeDirectory(folder)
  const path = join(folder, RunFiles.lock)
  const self = currentProcessIdentity()
  const mine: RunLockHolder = { pid: self.pid, pid_start_time: self.pidStartTime, host: self.hostname, started_at: isoNow() }
  const text = `${JSON.stringify(mine, null, 2)}\n`
  const temp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
  try {
    await writeFile(temp, text).catch((error: unknown) => {
      throw fileSystemError(error, 'write', path)
    })
    for (let attempt = 0; ; attempt++) {
      try {
        await link(temp, path)
        break
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw fileSystemError(error, 'write', path)
      }
      const held = await readFile(path, 'utf8').catch(() => null)
      // Released between the two calls: try again.
      if (held === null) continue
      const holder = parseHolder(held)
      const alive = holder === null ? false : isProcessAlive({ pid: holder.pid, pidStartTime: holder.pid_start_time, hostname: holder.host })
      if (alive !== false || attempt >= TAKE_OVER_ATTEMPTS) throw inUse(runName, path, holder, alive)
      // Remove only the dead holder's lock read above: another run may have taken it over meanwhile.
      if ((await readFile(path, 'utf8').catch(() => null)) === held) await rm(path, { force: true })
    }
  } catch (error) {
    // Refused (in use, a full disk): the folders taking the lock made are removed again.
    await rm(temp, { force: true }).catch(() => {})
    await removeEmptyFolders(created)
    throw error
  } finally {
    await rm(temp, { force: true }).catch(() => {})
  }
  // The folder is ours now: what writers killed in it left half-written goes.
  await removeDeadWritersTemps(folder)
  return {
    path,
    async release() {
      if ((await readFile(path, 'utf8').catch(() => null)) === text) await rm(path, { force: true }).catch(() => {})
      // A run refused before writing anything leaves no empty folder (run folder, log dir) behind.
      await removeEmptyFolders(created)
    },
  }
}

/** Removes `folders` deepest first while they are empty. */
async function removeEmptyFolders(folders: string[]): Promise<void> {
  for (const dir of folders) if ((await rmdir(dir).catch(() => false)) === false) break
}

/** `folder` and its missing ancestors, deepest first: what taking the lock creates. */
function missingFolders(folder: string): string[] {
  const missing: string[] = []
  for (let dir = folder; !existsSync(dir); dir = dirname(dir)) {
    missing.push(dir)
    if (dirname(dir) === dir) break
  }
  return missing
}

function parseHolder(text: string): RunLockHolder | null {
  try {
    const value = JSON.parse(text) as Partial<RunLockHolder>
    if (!Number.isInteger(value.pid) || typeof value.host !== 'string') return null
    return { pid: value.pid!, pid_start_time: value.pid_start_time ?? null, host: value.host, started_at: String(value.started_at ?? '') }
  } catch {
    return null
  }
}

function inUse(runName: string, path: string, holder: RunLockHolder | null, alive: boolean | null): CooperbenchError {
  const who = holder === null ? 'another run' : `another run (pid ${holder.pid} on ${holder.host}, started ${holder.started_at})`
  return new CooperbenchError('RUN_IN_USE', `run "${runName}" is in use by ${who}`, {
    hint:
      alive === null
        ? `Wait for that run to end. If it is gone (it ran on another machine), remove ${path} and run again.`
        : 'Wait for that run to end or stop it (Ctrl+C), or choose another run name (-n); a lock whose process is gone is taken over.',
  })
}
