import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'

/** An entry of the hub's tree listing, in the shape `GET /api/datasets/{repo}/tree/{revision}` returns. */
export interface TreeEntry {
  type: 'file' | 'directory'
  /** Git object id: a file's blob sha1 (for LFS files, the pointer file's), a folder's tree id. */
  oid: string
  size: number
  path: string
  lfs?: { oid: string; size: number; pointerSize: number }
}

/** One file of the served repo with everything the stand-in answers about it. */
export interface RepoFile {
  path: string
  content: Buffer
  entry: TreeEntry
}

/** A repo's files and folders as the hub lists them, sorted by path. */
export interface RepoTree {
  files: Map<string, RepoFile>
  entries: TreeEntry[]
  commit: string
}

/** The git blob id of `content`: sha1 of `blob <size>\0` followed by the bytes. */
export function gitBlobSha1(content: Uint8Array): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex')
}

export function sha256Hex(content: Uint8Array): string {
  return createHash('sha256').update(content).digest('hex')
}

/** The pointer file git stores in place of an LFS file's content. */
export function lfsPointer(content: Uint8Array): string {
  return `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256Hex(content)}\nsize ${content.length}\n`
}

export function buildRepoTree(files: Record<string, string | Uint8Array>, isLfs: (path: string) => boolean): RepoTree {
  const byPath = new Map<string, RepoFile>()
  const folders = new Set<string>()
  for (const [path, raw] of Object.entries(files)) {
    const content = Buffer.from(raw)
    let entry: TreeEntry
    if (isLfs(path)) {
      const pointer = Buffer.from(lfsPointer(content))
      entry = {
        type: 'file',
        oid: gitBlobSha1(pointer),
        size: content.length,
        path,
        lfs: { oid: sha256Hex(content), size: content.length, pointerSize: pointer.length },
      }
    } else {
      entry = { type: 'file', oid: gitBlobSha1(content), size: content.length, path }
    }
    byPath.set(path, { path, content, entry })
    const parts = path.split('/')
    for (let depth = 1; depth < parts.length; depth++) folders.add(parts.slice(0, depth).join('/'))
  }
  const folderEntries: TreeEntry[] = [...folders].map((path) => ({
    type: 'directory',
    // A stand-in for the tree id: stable per folder and its files, not git's tree encoding.
    oid: createHash('sha1')
      .update(
        `tree ${path}\0${[...byPath.values()]
          .filter((f) => f.path.startsWith(`${path}/`))
          .map((f) => f.entry.oid)
          .join(',')}`,
      )
      .digest('hex'),
    size: 0,
    path,
  }))
  const entries = [...folderEntries, ...[...byPath.values()].map((f) => f.entry)].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  const commit = createHash('sha1')
    .update(entries.map((e) => `${e.type} ${e.oid} ${e.path}`).join('\n'))
    .digest('hex')
  return { files: byPath, entries, commit }
}

/** The entries a tree request returns: under `folder` ('' for the root), all levels or direct children only. */
export function entriesUnder(tree: RepoTree, folder: string, recursive: boolean): TreeEntry[] | null {
  const prefix = folder === '' ? '' : `${folder}/`
  if (folder !== '' && !tree.entries.some((e) => e.type === 'directory' && e.path === folder)) return null
  return tree.entries.filter((e) => e.path.startsWith(prefix) && (recursive || !e.path.slice(prefix.length).includes('/')))
}

/** Every file below `dir` as `{ relative/path: content }`, for serving a dataset folder written by a test. */
export async function repoFilesFromFolder(dir: string): Promise<Record<string, Buffer>> {
  const files: Record<string, Buffer> = {}
  const walk = async (current: string): Promise<void> => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const path = join(current, entry.name)
      if (entry.isDirectory()) await walk(path)
      else if (entry.isFile()) files[relative(dir, path).split(sep).join('/')] = await readFile(path)
    }
  }
  await walk(dir)
  return files
}
