import { randomBytes } from 'node:crypto'
import { link, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { currentProcessIdentity } from '@cooperbench/spec-utils/host'
import { CooperbenchError } from '@cooperbench/spec'
import {
  RunFiles,
  fileSystemError,
  makeDirectoryOwned,
  parseRunLockHolder,
  removeDeadWritersTemps,
  type RunLockHolder,
  runLockHolderAlive,
} from '@cooperbench/results'
import { isoNow } from '@cooperbench/spec-utils/records'

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
  const folders = await makeDirectoryOwned(folder)
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
      const holder = parseRunLockHolder(held)
      const alive = runLockHolderAlive(holder)
      if (alive !== false || attempt >= TAKE_OVER_ATTEMPTS) throw inUse(runName, path, holder, alive)
      // Remove only the dead holder's lock read above: another run may have taken it over meanwhile.
      if ((await readFile(path, 'utf8').catch(() => null)) === held) await rm(path, { force: true })
    }
  } catch (error) {
    // Refused (in use, a full disk): the folders taking the lock made are removed again.
    await rm(temp, { force: true }).catch(() => {})
    await folders.removeIfEmpty()
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
      await folders.removeIfEmpty()
    },
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
