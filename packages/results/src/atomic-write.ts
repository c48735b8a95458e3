import { randomBytes } from 'node:crypto'
import { open, readdir, rename, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { isProcessAlive } from '@cooperbench/spec-utils/host'
import { fileSystemError, makeDirectory } from './fs-errors.js'

/** Writes a file readers see old or new, never torn: a temp file beside it, fsync, rename; a crash leaves at most a `.tmp-*` file. */
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

/** Temp files whose writer died between write and rename (`kill -9` in `eval --force`); a live writer's (a report's) stay. */
export async function removeDeadWritersTemps(folder: string): Promise<void> {
  for (const name of await readdir(folder, { recursive: true }).catch(() => [] as string[])) {
    const pid = TEMP_FILE.exec(name)?.[1]
    if (pid !== undefined && isProcessAlive({ pid: Number(pid), pidStartTime: null, hostname: '' }) === false) await rm(join(folder, name), { force: true })
  }
}
