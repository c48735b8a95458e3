import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { join, posix } from 'node:path'
import { makeDirectory, writeFileAtomic } from '@cooperbench/results'
import { Parser, type ReadEntry } from 'tar'
import { notABundle } from './bundle-errors.js'

const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile'])
const LINK_TYPES = new Set(['SymbolicLink', 'Link'])

/**
 * Unpacks the `.tar.gz` `file` under `into` without trusting it: folders and regular files only,
 * each under `root/`, each once, the archive whole to its end marker; anything else is
 * `BUNDLE_INVALID` naming the first fault. Returns the `sha256:<hex>` of every file by its path
 * under `root`. Every write has ended when it returns or throws, so `into` can be removed at once
 * (a write still under way made that removal fail with ENOTEMPTY and leave the folder behind).
 */
export async function unpackArchive(file: string, into: string, root: string): Promise<Map<string, string>> {
  const digests = new Map<string, string>()
  const kinds = new Map<string, string>()
  let fault: string | null = null
  let whole = false
  let writes: Promise<unknown> = Promise.resolve()
  const onReadEntry = (entry: ReadEntry) => {
    const path = entry.path.replace(/^(\.\/)+/, '').replace(/\/+$/, '')
    fault ??= entryFault(path, entry, root, kinds)
    if (fault !== null || path === '' || path === '.') return entry.resume()
    kinds.set(path, entry.type)
    if (entry.type !== 'Directory' && !LINK_TYPES.has(entry.type)) {
      const chunks: Buffer[] = []
      entry.on('data', (chunk: Buffer) => chunks.push(chunk))
      entry.on('end', () => {
        const bytes = Buffer.concat(chunks)
        digests.set(posix.relative(root, path), `sha256:${createHash('sha256').update(bytes).digest('hex')}`)
        writes = writes.then(() => writeFileAtomic(join(into, path), bytes))
      })
      return
    }
    if (entry.type === 'Directory') writes = writes.then(() => makeDirectory(join(into, path)))
    entry.resume()
  }
  // A folder given for the archive is no bundle: said so, not read (EISDIR looked like a bug).
  if ((await stat(file)).isDirectory()) throw notABundle(file, 'it is a folder, not the .tar.gz `cooperbench bundle` writes')
  const parser = new Parser({ strict: true, onReadEntry })
  const parsed = new Promise<void>((resolve) => {
    parser.on('eof', () => (whole = true))
    parser.on('error', (error: Error) => {
      fault ??= `it is cut short or corrupt (${error.message.replace(/^TAR_\w+: /, '')})`
      resolve()
    })
    parser.on('end', () => resolve())
  })
  try {
    for await (const chunk of createReadStream(file)) {
      if (fault !== null) break
      parser.write(chunk as Buffer)
    }
  } finally {
    parser.end()
    await parsed
    await writes
  }
  const link = [...kinds].find(([, kind]) => LINK_TYPES.has(kind))?.[0]
  if (fault === null && link !== undefined) fault = `entry ${link} is a ${kinds.get(link) === 'Link' ? 'hard' : 'symbolic'} link, not a file or folder`
  if (fault === null && !whole) fault = 'it ends before its tar archive does: it is cut short'
  if (fault !== null) throw notABundle(file, fault)
  return digests
}

/** Why the archive is refused at this entry (its path without `./` and a trailing `/`), or null. */
function entryFault(path: string, entry: ReadEntry, root: string, kinds: Map<string, string>): string | null {
  if (path === '' || path === '.') return entry.type === 'Directory' ? null : `entry ${entry.path} has no name`
  const parts = path.split('/')
  if (path.startsWith('/') || parts.includes('..')) return `entry ${entry.path} escapes the archive's root`
  if (parts[0] !== root) return `entry ${entry.path} is outside its root folder ${root}/`
  if (path === root && entry.type !== 'Directory') return `entry ${entry.path} is not its root folder but a ${entry.type}`
  for (let end = 1; end < parts.length; end++) {
    const above = parts.slice(0, end).join('/')
    const kind = kinds.get(above)
    if (kind !== undefined && LINK_TYPES.has(kind)) return `entry ${entry.path} is written through the symlinked folder ${above}`
    if (kind !== undefined && kind !== 'Directory') return `entry ${entry.path} is inside the file ${above}`
  }
  if (kinds.has(path)) return `it holds ${path} twice (duplicate entries: which one counts is undefined)`
  if (!FILE_TYPES.has(entry.type) && !LINK_TYPES.has(entry.type) && entry.type !== 'Directory')
    return `entry ${entry.path} is a ${entry.type}, not a file or folder`
  return null
}
