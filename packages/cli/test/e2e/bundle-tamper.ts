import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { gzipSync } from 'node:zlib'

/** A JSON file edited in place. */
export async function editJson(path: string, edit: (value: any) => void | Promise<void>): Promise<void> {
  const value = JSON.parse(await readFile(path, 'utf8'))
  await edit(value)
  await writeFile(path, JSON.stringify(value, null, 2))
}

/**
 * A copy of `bundle` (unpacked in `dir`, packed again as `<dir>.tar.gz`) with `change` made to its
 * root folder. With `reseal`, bundle.json then lists the changed files' digests, as an author
 * changing the records before sending could; without, the change is a stranger's after bundling.
 */
export async function tamperedBundle(bundle: string, dir: string, change: (root: string) => Promise<void>, reseal: boolean): Promise<string> {
  await mkdir(dir, { recursive: true })
  execFileSync('tar', ['-xzf', bundle, '-C', dir])
  const root = join(dir, 'cooperbench-bundle')
  await change(root)
  if (reseal) {
    await editJson(join(root, 'bundle.json'), async (manifest) => {
      manifest.files = await digestsUnder(root)
    })
  }
  execFileSync('tar', ['-czf', `${dir}.tar.gz`, '-C', dir, 'cooperbench-bundle'])
  return `${dir}.tar.gz`
}

/**
 * `sha256:<hex>` of every file under a bundle's root but bundle.json and bundle.sig, by its path:
 * what bundle.json lists.
 */
export async function digestsUnder(root: string): Promise<Record<string, string>> {
  const files = (await readdir(root, { recursive: true, withFileTypes: true })).filter((e) => e.isFile())
  const paths = files.map((e) => relative(root, join(e.parentPath, e.name))).filter((path) => path !== 'bundle.json' && path !== 'bundle.sig')
  const digests: Record<string, string> = {}
  for (const path of paths.sort())
    digests[path] = `sha256:${createHash('sha256')
      .update(await readFile(join(root, path)))
      .digest('hex')}`
  return digests
}

/** One entry of a hand-made tar: a file (with `body`), a folder, or a symbolic link to `link`. */
export interface TarEntry {
  path: string
  body?: string | Buffer
  folder?: boolean
  link?: string
}

/**
 * A `.tar.gz` of exactly `entries`, in order, written here byte by byte (ustar headers), so a test
 * can make what `tar` refuses to: an entry twice, a path with `..`, a file under a symlinked folder,
 * an archive without its end marker (`endMarker: false`).
 */
export function tarGz(entries: TarEntry[], { endMarker = true } = {}): Buffer {
  const blocks: Buffer[] = []
  for (const entry of entries) {
    if (Buffer.byteLength(entry.path) > 100) throw new Error(`tarGz writes names of up to 100 bytes: ${entry.path}`)
    const body = entry.body === undefined ? Buffer.alloc(0) : Buffer.from(entry.body)
    const header = Buffer.alloc(512)
    const put = (text: string, offset: number, length: number) => header.write(text, offset, length, 'utf8')
    const octal = (value: number, offset: number, length: number) => put(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length)
    put(entry.path, 0, 100)
    octal(entry.folder ? 0o755 : 0o644, 100, 8)
    octal(0, 108, 8)
    octal(0, 116, 8)
    octal(body.length, 124, 12)
    octal(0, 136, 12)
    header.fill(' ', 148, 156)
    put(entry.link !== undefined ? '2' : entry.folder ? '5' : '0', 156, 1)
    if (entry.link !== undefined) put(entry.link, 157, 100)
    put('ustar\0' + '00', 257, 8)
    const sum = header.reduce((total, byte) => total + byte, 0)
    put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8)
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512))
  }
  if (endMarker) blocks.push(Buffer.alloc(1024))
  return gzipSync(Buffer.concat(blocks))
}

/**
 * Every file and folder of an unpacked bundle as tar entries, in path order (folders before what
 * they hold).
 */
export async function entriesOf(dir: string): Promise<TarEntry[]> {
  const found = await readdir(join(dir, 'cooperbench-bundle'), { recursive: true, withFileTypes: true })
  const entries: TarEntry[] = [{ path: 'cooperbench-bundle/', folder: true }]
  for (const e of found.sort((a, b) => (join(a.parentPath, a.name) < join(b.parentPath, b.name) ? -1 : 1))) {
    const path = relative(dir, join(e.parentPath, e.name))
    entries.push(e.isDirectory() ? { path: `${path}/`, folder: true } : { path, body: await readFile(join(dir, path)) })
  }
  return entries
}
