import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createHash } from 'node:crypto'

/** What the hub says a file hashes to: a git file's blob id (sha1 of `blob <size>\0` and the bytes), an LFS file's sha256. */
export interface Checksum {
  algorithm: 'git-blob-sha1' | 'sha256'
  expected: string
}

/** The checksum of the `size` bytes of the file at `path`, in hex, by `algorithm`. */
export async function fileDigest(path: string, size: number, algorithm: Checksum['algorithm']): Promise<string> {
  const hash = algorithm === 'sha256' ? createHash('sha256') : createHash('sha1').update(`blob ${size}\0`)
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Whether the file at `path` exists with the expected size and checksum. */
export async function fileMatches(path: string, size: number, checksum: Checksum): Promise<boolean> {
  const info = await stat(path).catch(() => null)
  if (!info?.isFile() || info.size !== size) return false
  return (await fileDigest(path, size, checksum.algorithm)) === checksum.expected.toLowerCase()
}
