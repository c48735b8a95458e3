import { constants } from 'node:fs'
import { access, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { CooperbenchError } from '@cooperbench/core'
import { fileSystemError } from '@cooperbench/results'

/**
 * Refuses, before any work and creating nothing, a folder this process cannot write in: a file on the way to it, or its nearest
 * existing folder not writable. The error names `target` (what is to be written there; the folder itself by default), its hint
 * `flag`, the option that chose the place (`--out`), not the log and dataset folders.
 */
export async function checkWritableFolder(folder: string, flag: string, target = folder): Promise<void> {
  const hint = `Choose a folder you can write with ${flag}, or fix its permissions.`
  let existing = folder
  for (let info = await stat(existing).catch(() => null); !info?.isDirectory(); info = await stat(existing).catch(() => null)) {
    if (info !== null) throw new CooperbenchError('FILESYSTEM', `cannot write ${target}: ${existing} is a file, not a folder`, { hint })
    if (dirname(existing) === existing) break
    existing = dirname(existing)
  }
  try {
    await access(existing, constants.W_OK)
  } catch (error) {
    throw fileSystemError(error, 'write', target, hint)
  }
}
