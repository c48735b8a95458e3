import { existsSync } from 'node:fs'
import { mkdir, rmdir, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { CooperbenchError, isCooperbenchError } from '@cooperbench/spec'

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder',
  ENOENT: 'it does not exist and cannot be created there',
  EEXIST: 'it exists and is not a folder',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files',
  EIO: 'an input/output error of the device',
}

const HINTS: Record<string, string> = {
  ENOSPC: 'Free some space, or choose another --log-dir.',
  EDQUOT: 'Free some space, or choose another --log-dir.',
  ENAMETOOLONG: 'Use a shorter name (a run name, -n, is a folder name: at most 255 bytes), or a shorter --log-dir.',
}

/**
 * A file system error (`EACCES`, `EROFS`, `ENOSPC`, …) as a FILESYSTEM error naming the path (its own, else `path`); others unchanged.
 * `hint`: the fix where the caller knows a better one than the log and dataset folders (the flag that named the path).
 */
export function fileSystemError(error: unknown, action = 'write', path?: string, hint?: string): unknown {
  if (isCooperbenchError(error)) return error
  const e = error as NodeJS.ErrnoException | null
  const reason = typeof e?.code === 'string' ? REASONS[e.code] : undefined
  // Errors of an open file handle (a write that hit a full disk) carry no path: the caller's.
  const named = typeof e?.path === 'string' ? (e.path as string) : path
  if (reason === undefined || named === undefined || e === null) return error
  return new CooperbenchError('FILESYSTEM', `cannot ${action} ${named}: ${reason}`, {
    hint: hint ?? HINTS[e.code!] ?? 'Choose a folder you can write (--log-dir, --dataset-dir), or fix its permissions.',
    cause: error,
  })
}

/** `mkdir -p` that always ends (Node's loops forever under `/proc`: ENOENT from the child, EEXIST from the parent); FILESYSTEM naming the path. */
export async function makeDirectory(path: string): Promise<void> {
  try {
    await mkdir(path)
    return
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST' && (await isDirectory(path))) return
    if (code !== 'ENOENT' || dirname(path) === path) throw fileSystemError(error, 'create the folder')
  }
  await makeDirectory(dirname(path))
  try {
    await mkdir(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST' && (await isDirectory(path))) return
    throw fileSystemError(error, 'create the folder')
  }
}

/** Folders `makeDirectoryOwned` made, to take away again. */
export interface OwnedFolders {
  /** Removes the folders it made, deepest first, while they are empty. */
  removeIfEmpty(): Promise<void>
}

/** `makeDirectory` that remembers which folders it made, so that a command refused or stopped before writing leaves none behind. */
export async function makeDirectoryOwned(path: string): Promise<OwnedFolders> {
  const made: string[] = []
  for (let dir = path; !existsSync(dir); dir = dirname(dir)) {
    made.push(dir)
    if (dirname(dir) === dir) break
  }
  const owned = {
    async removeIfEmpty() {
      for (const dir of made) {
        const removed = await rmdir(dir).then(
          () => true,
          () => false,
        )
        if (!removed) break
      }
    },
  }
  try {
    await makeDirectory(path)
  } catch (error) {
    await owned.removeIfEmpty()
    throw error
  }
  return owned
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() === true
}
