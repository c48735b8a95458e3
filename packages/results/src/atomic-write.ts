import { randomBytes } from 'node:crypto'
import { open, readdir, rename, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { isProcessAlive } from '@cooperbench/spec-utils/host'
import { fileSystemError, makeDirectory } from './fs-errors.js'

/**
 * Writes a file so that readers see either the old or the new content, never a torn one:
 * temp file in the same directory, fsync, rename. A crash leaves at most a `.tmp-*` file.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await makeDirectory(dirname(path))
  const temp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
  try {
    const handle = await open(temp, 'w')
    try {
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, path)
  } catch (error) {
    // A full disk or a vanished folder leaves the previous file as it was, and no temp file.
    await rm(temp, { force: true }).catch(() => {})
    throw fileSystemError(error, 'write', path)
  }
}

/** JSON with 2-space indentation and a trailing newline, written atomically. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`)
}

/** The temp file `writeFileAtomic` (and the run lock) writes through: `<path>.tmp-<writer's pid>-<8 hex>`. */
const TEMP_FILE = /\.tmp-(\d+)-[0-9a-f]{8}$/

/**
 * Removes the temp files under `folder` whose writer is dead: a process killed between writing
 * and renaming (`kill -9` during `eval --force`) leaves one, which the next run or eval owning the
 * folder clears. A live writer's temp (a report rewriting eval_summary.json) is left to it.
 */
export async function removeDeadWritersTemps(folder: string): Promise<void> {
  for (const name of await readdir(folder, { recursive: true }).catch(() => [] as string[])) {
    const pid = TEMP_FILE.exec(name)?.[1]
    if (pid !== undefined && isProcessAlive({ pid: Number(pid), pidStartTime: null, hostname: '' }) === false) await rm(join(folder, name), { force: true })
  }
}
