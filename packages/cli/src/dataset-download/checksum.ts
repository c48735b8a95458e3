import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createHash, type Hash } from 'node:crypto'

/**
 * What the hub says a file's content hashes to: for a file in git, its blob id (sha1 of
 * `blob <size>\0` and the bytes); for an LFS file, the sha256 of the content.
 */
export interface Checksum {
  algorithm: 'git-blob-sha1' | 'sha256'
  expected: string
}

/** A running hash of a file of `size` bytes, ready for its content. */
export function startChecksum(checksum: Checksum, size: number): Hash {
  if (checksum.algorithm === 'sha256') return createHash('sha256')
  return createHash('sha1').update(`blob ${size}\0`)
}

/** Feeds the content of the file at `path` into `hash`. */
export async function hashFileInto(hash: Hash, path: string): Promise<void> {
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
}

/** Whether the file at `path` exists with the expected size and checksum. */
export async function fileMatches(path: string, size: number, checksum: Checksum): Promise<boolean> {
  const info = await stat(path).catch(() => null)
  if (!info?.isFile() || info.size !== size) return false
  const hash = startChecksum(checksum, size)
  await hashFileInto(hash, path)
  return hash.digest('hex') === checksum.expected.toLowerCase()
}
