import { once } from 'node:events'
import { createReadStream } from 'node:fs'
import { lstat, readdir, readlink, stat } from 'node:fs/promises'
import { join, posix, relative, sep } from 'node:path'
import { Readable } from 'node:stream'
import tar from 'tar-stream'

// The Engine API moves files as tar archives (container archives, build contexts), made and read
// here as streams; tar-stream's streamx streams go to docker-modem as Node streams (Readable.from).

/** A build context of everything below `dir` (files streamed, symlinks and permissions kept); an error while walking destroys the stream. */
export function packDirectory(dir: string): Readable {
  const pack = tar.pack()
  const walk = async (path: string): Promise<void> => {
    for (const name of (await readdir(path)).sort()) {
      const full = join(path, name)
      const stats = await lstat(full)
      const entryName = relative(dir, full).split(sep).join('/')
      const common = { name: entryName, mode: stats.mode & 0o7777, mtime: stats.mtime }
      if (stats.isDirectory()) {
        await addEntry(pack, { ...common, type: 'directory' })
        await walk(full)
      } else if (stats.isSymbolicLink()) {
        await addEntry(pack, { ...common, type: 'symlink', linkname: await readlink(full) })
      } else if (stats.isFile() && stats.size === 0) {
        // tar-stream treats a sized-0 streamed entry as void; give it an (empty) buffer instead.
        await addEntry(pack, { ...common, type: 'file' }, Buffer.alloc(0))
      } else if (stats.isFile()) {
        await streamFile(pack, { ...common, size: stats.size }, full)
      }
      // Sockets, fifos and devices cannot be part of a build context; Docker skips them too.
    }
  }
  walk(dir).then(
    () => pack.finalize(),
    (error: unknown) => pack.destroy(error as Error),
  )
  return Readable.from(pack)
}

/** A file to put into a container: its absolute path, bytes and permission bits. */
export interface FileEntry {
  path: string
  data: Uint8Array
  mode: number
}

/** A tar stream of one regular file at `path`. */
export function packFile(path: string, data: Uint8Array, mode: number): Readable {
  return packFiles([{ path, data, mode }])
}

/** A tar stream holding regular files at their absolute paths (stored relative to `/`), in order. */
export function packFiles(files: readonly FileEntry[]): Readable {
  const pack = tar.pack()
  const mtime = new Date()
  for (const { path, data, mode } of files) {
    const name = posix.normalize(path).replace(/^\/+/, '')
    pack.entry({ name, type: 'file', mode, size: data.byteLength, mtime }, Buffer.from(data.buffer, data.byteOffset, data.byteLength))
  }
  pack.finalize()
  return Readable.from(pack)
}

/** Streams the file at `hostPath` into `pack` as one entry. */
async function streamFile(pack: tar.Pack, header: { name: string; mode: number; mtime: Date; size: number }, hostPath: string): Promise<void> {
  let entry!: ReturnType<tar.Pack['entry']>
  // The executor runs at once, so `entry` is set when the promise exists.
  const finished = new Promise<void>((resolve, reject) => {
    entry = pack.entry({ ...header, type: 'file' }, (error) => (error ? reject(error) : resolve()))
  })
  for await (const chunk of createReadStream(hostPath)) {
    if (!entry.write(chunk as Buffer)) await once(entry, 'drain')
  }
  // streamx types want an argument; undefined is "no more data", as in Node.
  entry.end(undefined)
  await finished
}

/** A build context of a `Dockerfile` and host files under chosen names (an image layer's `files`), streamed from disk. */
export function packLayerContext(dockerfile: string, files: ReadonlyArray<{ path: string; hostPath: string }>): Readable {
  const pack = tar.pack()
  const fill = async (): Promise<void> => {
    await addEntry(pack, { name: 'Dockerfile', type: 'file', mode: 0o644, mtime: new Date() }, Buffer.from(dockerfile, 'utf8'))
    for (const file of files) {
      const stats = await stat(file.hostPath)
      await streamFile(
        pack,
        { name: posix.normalize(file.path).replace(/^\/+/, ''), mode: stats.mode & 0o7777, mtime: stats.mtime, size: stats.size },
        file.hostPath,
      )
    }
  }
  fill().then(
    () => pack.finalize(),
    (error: unknown) => pack.destroy(error as Error),
  )
  return Readable.from(pack)
}

/** The first entry of a tar stream: its header and, for a regular file, its bytes. */
export interface TarEntry {
  header: tar.Header
  data: Buffer
}

/** Reads the first entry of a tar stream (a container archive of one file) and drains the rest; rejects for an empty one. */
export async function readFirstEntry(source: Readable): Promise<TarEntry> {
  const extract = tar.extract()
  let first: TarEntry | undefined
  source.once('error', (error) => extract.destroy(error))
  source.pipe(extract as unknown as NodeJS.WritableStream)
  for await (const entry of extract) {
    if (first === undefined) {
      const chunks: Buffer[] = []
      for await (const chunk of entry) chunks.push(chunk as Buffer)
      first = { header: entry.header, data: Buffer.concat(chunks) }
    } else {
      entry.resume()
    }
  }
  if (first === undefined) throw new Error('the archive is empty')
  return first
}

function addEntry(pack: tar.Pack, header: Parameters<tar.Pack['entry']>[0], data?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const callback = (error?: Error | null) => (error ? reject(error) : resolve())
    if (data === undefined) pack.entry(header, callback)
    else pack.entry(header, data, callback)
  })
}
