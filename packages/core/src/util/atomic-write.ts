import { randomBytes } from 'node:crypto'
import { open, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
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
