import tar from 'tar-stream'

/** One tar archive (bytes) of named files: what a Batch task gets as its staged job. */
export async function packFiles(files: ReadonlyMap<string, Uint8Array>): Promise<Buffer> {
  const pack = tar.pack()
  const chunks: Buffer[] = []
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (chunk: unknown) => chunks.push(chunk as Buffer))
    pack.on('end', resolve)
    pack.on('error', reject)
  })
  for (const [name, bytes] of files) {
    await new Promise<void>((resolve, reject) =>
      pack.entry({ name, size: bytes.byteLength, mode: 0o644 }, Buffer.from(bytes), (error) => (error ? reject(error) : resolve())),
    )
  }
  pack.finalize()
  await done
  return Buffer.concat(chunks)
}

/** The regular files of a tar archive, by name without a leading `./`. */
export async function unpackFiles(archive: Uint8Array): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>()
  const extract = tar.extract()
  const finished = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: unknown) => chunks.push(chunk as Buffer))
      stream.on('end', () => {
        if (header.type === 'file') files.set(header.name.replace(/^\.\//, ''), new Uint8Array(Buffer.concat(chunks)))
        next()
      })
      stream.on('error', reject)
    })
    extract.on('finish', resolve)
    extract.on('error', reject)
  })
  extract.end(Buffer.from(archive))
  await finished
  return files
}
