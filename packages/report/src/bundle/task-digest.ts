import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'

/**
 * `sha256:<hex>` of every file under a task folder (repo bundle included), each with its path and length, in path order: any change, addition,
 * removal or rename changes it. `verify` refuses a dataset whose digests differ from the bundle's: its verdicts would judge other tests.
 */
export async function taskDigest(taskDir: string): Promise<string> {
  const hash = createHash('sha256')
  for (const path of await filesUnder(taskDir)) {
    const bytes = await readFile(path)
    hash.update(`${relative(taskDir, path).split(sep).join('/')}\0${bytes.byteLength}\0`)
    hash.update(bytes)
  }
  return `sha256:${hash.digest('hex')}`
}

async function filesUnder(dir: string) {
  return (await readdir(dir, { withFileTypes: true, recursive: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}
