import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { dirname, join, relative, sep } from 'node:path'
import { CRC32C } from '@google-cloud/storage'
import { readBytes, send, type StandinRoute } from './http.js'

/**
 * A stand-in for the Cloud Storage JSON API as `@google-cloud/storage` calls it for Batch
 * evaluation: buckets get/insert, objects multipart upload, media download (with the
 * `x-goog-hash` the client validates), list by prefix, delete. Objects are plain files under
 * `root/<bucket>/<name>`, so the Batch stand-in can mount a prefix into a container the way
 * Batch mounts a bucket with Cloud Storage FUSE: what the container writes there is an object.
 */
export interface FakeStorage {
  route: StandinRoute
  /** Where bucket `b`'s objects live on disk. */
  bucketDir(bucket: string): string
  /** Object names of a bucket (for tests). */
  objects(bucket: string): string[]
  hasBucket(bucket: string): boolean
  /** Makes a bucket, as `cooperbench config gcp` would have. */
  createBucket(bucket: string, location?: string): void
  /** The next `count` object deletes fail with the 503 `backendError` Cloud Storage answers when it cannot serve a request. */
  failNextDeletes(count: number): void
}

export function fakeStorage(root: string): FakeStorage {
  const buckets = new Map<string, { created: string; location: string }>()
  let deleteFaults = 0
  const bucketDir = (bucket: string) => join(root, bucket)
  const objectPath = (bucket: string, name: string) => join(bucketDir(bucket), ...name.split('/'))

  const objectJson = (bucket: string, name: string) => {
    const path = objectPath(bucket, name)
    const stat = statSync(path)
    const bytes = readFileSync(path)
    const crc = new CRC32C()
    crc.update(bytes)
    const generation = String(Math.floor(stat.mtimeMs * 1000))
    return {
      kind: 'storage#object',
      id: `${bucket}/${name}/${generation}`,
      selfLink: `http://storage.local/storage/v1/b/${bucket}/o/${encodeURIComponent(name)}`,
      mediaLink: `http://storage.local/download/storage/v1/b/${bucket}/o/${encodeURIComponent(name)}?generation=${generation}&alt=media`,
      name,
      bucket,
      generation,
      metageneration: '1',
      contentType: 'application/octet-stream',
      storageClass: 'STANDARD',
      size: String(stat.size),
      md5Hash: createHash('md5').update(bytes).digest('base64'),
      crc32c: crc.toString(),
      etag: createHash('sha1').update(generation).digest('base64').slice(0, 12),
      timeCreated: stat.birthtime.toISOString(),
      updated: stat.mtime.toISOString(),
      timeStorageClassUpdated: stat.birthtime.toISOString(),
    }
  }

  const notFound = (res: ServerResponse, message: string) =>
    send(res, 404, { error: { code: 404, message, errors: [{ message, domain: 'global', reason: 'notFound' }] } })
  const known = (bucket: string) => buckets.has(bucket)

  const route: StandinRoute = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const path = url.pathname
    let m: RegExpExecArray | null
    if ((m = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(path)) && req.method === 'POST') {
      const bucket = decodeURIComponent(m[1]!)
      if (!known(bucket)) return (notFound(res, 'The specified bucket does not exist.'), true)
      const type = url.searchParams.get('uploadType')
      const body = await readBytes(req)
      let name = url.searchParams.get('name')
      let media = body
      if (type === 'multipart') {
        const parts = multipartParts(body, req.headers['content-type'] ?? '')
        if (parts.length !== 2) return (send(res, 400, { error: { code: 400, message: 'multipart upload needs metadata and media parts' } }), true)
        const metadata = JSON.parse(parts[0]!.toString('utf8') || '{}') as { name?: string }
        name = metadata.name ?? name
        media = parts[1]!
      } else if (type !== 'media') {
        return (send(res, 400, { error: { code: 400, message: `uploadType ${type} is not served by this stand-in` } }), true)
      }
      if (!name) return (send(res, 400, { error: { code: 400, message: 'Required: object name' } }), true)
      const file = objectPath(bucket, name)
      mkdirSync(dirname(file), { recursive: true })
      writeFileSync(`${file}.upload`, media)
      renameSync(`${file}.upload`, file)
      return (send(res, 200, objectJson(bucket, name)), true)
    }
    if ((m = /^\/storage\/v1\/b\/([^/]+)\/o\/(.+)$/.exec(path))) {
      const bucket = decodeURIComponent(m[1]!)
      const name = decodeURIComponent(m[2]!)
      const file = objectPath(bucket, name)
      let exists = false
      try {
        exists = known(bucket) && statSync(file).isFile()
      } catch {
        exists = false
      }
      if (!exists) {
        if (url.searchParams.get('alt') === 'media') {
          res.writeHead(404, { 'content-type': 'text/html; charset=UTF-8' })
          res.end(`No such object: ${bucket}/${name}`)
          return true
        }
        return (notFound(res, `No such object: ${bucket}/${name}`), true)
      }
      if (req.method === 'DELETE') {
        if (deleteFaults > 0) {
          deleteFaults--
          const message = 'We encountered an internal error. Please try again.'
          return (send(res, 503, { error: { code: 503, message, errors: [{ message, domain: 'global', reason: 'backendError' }] } }), true)
        }
        rmSync(file, { force: true })
        res.writeHead(204)
        res.end()
        return true
      }
      if (req.method !== 'GET') return false
      if (url.searchParams.get('alt') !== 'media') return (send(res, 200, objectJson(bucket, name)), true)
      const bytes = readFileSync(file)
      const meta = objectJson(bucket, name)
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': bytes.length,
        'x-goog-hash': `crc32c=${meta.crc32c},md5=${meta.md5Hash}`,
        'x-goog-stored-content-encoding': 'identity',
        'x-goog-generation': meta.generation,
      })
      res.end(bytes)
      return true
    }
    if ((m = /^\/storage\/v1\/b\/([^/]+)\/o$/.exec(path)) && req.method === 'GET') {
      const bucket = decodeURIComponent(m[1]!)
      if (!known(bucket)) return (notFound(res, 'The specified bucket does not exist.'), true)
      const prefix = url.searchParams.get('prefix') ?? ''
      const items = listFiles(bucketDir(bucket))
        .filter((name) => name.startsWith(prefix) && !name.endsWith('.upload'))
        .sort()
        .flatMap((name) => {
          try {
            return [objectJson(bucket, name)]
          } catch {
            return [] // gone since it was listed
          }
        })
      return (send(res, 200, { kind: 'storage#objects', items }), true)
    }
    if ((m = /^\/storage\/v1\/b\/([^/]+)$/.exec(path)) && req.method === 'GET') {
      const bucket = decodeURIComponent(m[1]!)
      const info = buckets.get(bucket)
      if (!info) return (notFound(res, 'The specified bucket does not exist.'), true)
      return (send(res, 200, bucketJson(bucket, info)), true)
    }
    if (path === '/storage/v1/b' && req.method === 'POST') {
      const body = JSON.parse((await readBytes(req)).toString('utf8') || '{}') as { name?: string; location?: string }
      if (!body.name) return (send(res, 400, { error: { code: 400, message: 'Required: bucket name' } }), true)
      if (buckets.has(body.name)) {
        const message = 'Your previous request to create the named bucket succeeded and you already own it.'
        return (send(res, 409, { error: { code: 409, message, errors: [{ message, domain: 'global', reason: 'conflict' }] } }), true)
      }
      const info = { created: new Date().toISOString(), location: (body.location ?? 'US').toUpperCase() }
      buckets.set(body.name, info)
      mkdirSync(bucketDir(body.name), { recursive: true })
      return (send(res, 200, bucketJson(body.name, info)), true)
    }
    return false
  }

  return {
    route,
    bucketDir,
    objects: (bucket) => (known(bucket) ? listFiles(bucketDir(bucket)).sort() : []),
    hasBucket: known,
    createBucket(bucket, location = 'US-CENTRAL1') {
      buckets.set(bucket, { created: new Date().toISOString(), location })
      mkdirSync(bucketDir(bucket), { recursive: true })
    },
    failNextDeletes(count) {
      deleteFaults += count
    },
  }
}

function bucketJson(name: string, info: { created: string; location: string }) {
  return {
    kind: 'storage#bucket',
    id: name,
    selfLink: `http://storage.local/storage/v1/b/${name}`,
    projectNumber: '123456789012',
    name,
    timeCreated: info.created,
    updated: info.created,
    metageneration: '1',
    location: info.location,
    locationType: 'region',
    storageClass: 'STANDARD',
    etag: 'CAE=',
    iamConfiguration: { uniformBucketLevelAccess: { enabled: true }, publicAccessPrevention: 'enforced' },
  }
}

/** Object names under a bucket folder: files, by their path with `/`. */
function listFiles(dir: string): string[] {
  let entries: string[]
  try {
    entries = readdirSync(dir, { recursive: true }) as string[]
  } catch {
    return []
  }
  // A task writing through the mount may rename a file (`x.partial` → `x`) between the two calls.
  const isFile = (path: string) => statSync(path, { throwIfNoEntry: false })?.isFile() ?? false
  return entries.filter((entry) => isFile(join(dir, entry))).map((entry) => relative(dir, join(dir, entry)).split(sep).join('/'))
}

/** The bodies of a `multipart/related` request, in order. */
function multipartParts(body: Buffer, contentType: string): Buffer[] {
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1]
  if (!boundary) return []
  const delimiter = Buffer.from(`--${boundary}`)
  const parts: Buffer[] = []
  let at = body.indexOf(delimiter)
  while (at >= 0) {
    const start = at + delimiter.length
    if (body.subarray(start, start + 2).toString() === '--') break
    const next = body.indexOf(delimiter, start)
    if (next < 0) break
    const part = body.subarray(start, next)
    const headerEnd = part.indexOf('\r\n\r\n')
    // The part body ends before the CRLF that precedes the next delimiter.
    if (headerEnd >= 0) parts.push(part.subarray(headerEnd + 4, part.length - 2))
    at = next
  }
  return parts
}
