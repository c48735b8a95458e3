import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'

/**
 * `sha256:<hex>` of every file under `root` by its `/`-separated path, but those named in
 * `unlisted`.
 */
export async function fileDigests(root: string, unlisted: readonly string[]): Promise<Record<string, string>> {
  const paths = (await readdir(root, { withFileTypes: true, recursive: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .filter((path) => !unlisted.includes(path))
    .sort()
  const digests: Record<string, string> = {}
  for (const path of paths)
    digests[path] = `sha256:${createHash('sha256')
      .update(await readFile(join(root, path)))
      .digest('hex')}`
  return digests
}

/**
 * The first file (in path order) that is not as `listed` says: changed, missing or not listed; null
 * when all are.
 */
export function fileDifference(listed: Record<string, string>, found: ReadonlyMap<string, string>): string | null {
  for (const path of [...new Set([...Object.keys(listed), ...found.keys()])].sort()) {
    const [want, have] = [Object.hasOwn(listed, path) ? listed[path] : undefined, found.get(path)]
    if (want === have) continue
    if (have === undefined) return `${path} is listed in bundle.json but not in the archive`
    if (want === undefined) return `${path} is in the archive but not listed in bundle.json`
    return `${path} was changed after bundling (it digests ${have}, bundle.json lists ${want})`
  }
  return null
}
