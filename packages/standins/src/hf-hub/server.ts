import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { buildRepoTree, entriesUnder, type RepoFile } from './repo-tree.js'
import type { HfHubRequest, HfHubStandIn, HfHubStandInOptions } from './types.js'

type Fault = { kind: 'cut' | 'stall'; afterBytes: number }

const HUB_PAGE_SIZE = 1000

/**
 * A stand-in of the Hugging Face hub on 127.0.0.1 serving one dataset repo, with the routes and
 * response shapes `@huggingface/hub` reads:
 *
 * - `GET /api/datasets/{repo}/revision/{revision}?expand=…`: the repo's info, `_id`, `id` and the
 *   fields asked for with `expand` (`sha` is the commit the revision resolves to);
 * - `GET /api/datasets/{repo}/tree/{revision}[/{path}]?recursive=&expand=&cursor=`: a JSON array of
 *   `{type, oid, size, path, lfs?}`, paged with `Link: <…>; rel="next"`;
 * - `GET|HEAD /datasets/{repo}/resolve/{revision}/{path}`: the file with `ETag` (the blob id),
 *   `X-Repo-Commit`, `Accept-Ranges` and `Range` support (206 + `Content-Range`); LFS files
 *   redirect (302, `X-Linked-Etag`, `X-Linked-Size`) to `/cdn-lfs/{sha256}`, which serves them with
 *   ranges too;
 * - errors as JSON `{error}` with the hub's `X-Error-Code` (`RepoNotFound`, `RevisionNotFound`,
 *   `EntryNotFound`).
 *
 * Faults on request: a response cut off or stalled mid-file (once), a file served with wrong
 * bytes, resume ranges ignored. Every request is recorded.
 */
export async function startHfHubStandIn(options: HfHubStandInOptions): Promise<HfHubStandIn> {
  const tree = buildRepoTree(options.files, options.lfs ?? (() => false))
  const pageSize = options.pageSize ?? HUB_PAGE_SIZE
  const requests: HfHubRequest[] = []
  const faults = new Map<string, Fault>()
  const corrupted = new Set<string>()
  let ignoreResumeRanges = false
  let baseUrl = ''

  const server = createServer((req, res) => {
    const record: HfHubRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      file: null,
      range: req.headers.range ?? null,
      authorization: req.headers.authorization ?? null,
      status: 0,
    }
    requests.push(record)
    try {
      route(req, res, record)
    } catch (error) {
      if (!res.headersSent) sendError(res, record, 500, 'InternalError', `stand-in hub failed: ${error instanceof Error ? error.message : String(error)}`)
      else res.destroy()
    }
  })
  server.keepAliveTimeout = 1_000

  function route(req: IncomingMessage, res: ServerResponse, record: HfHubRequest): void {
    const url = new URL(req.url ?? '/', 'http://stand-in')
    const segments = url.pathname
      .split('/')
      .filter((s) => s !== '')
      .map(decodeURIComponent)
    if (segments[0] === 'cdn-lfs') return serveCdn(req, res, record, url)
    if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
      return sendError(res, record, 401, 'GatedRepo', 'Invalid credentials in Authorization header')
    }
    if (segments[0] === 'api' && segments[1] === 'datasets' && segments[4] === 'revision') {
      return void serveRevisionInfo(res, record, url, `${segments[2]}/${segments[3]}`, segments[5])
    }
    if (segments[0] === 'api' && segments[1] === 'datasets' && segments[4] === 'tree') {
      return serveTree(res, record, url, `${segments[2]}/${segments[3]}`, segments[5], segments.slice(6).join('/'))
    }
    if (segments[0] === 'datasets' && segments[3] === 'resolve') {
      return serveResolve(req, res, record, `${segments[1]}/${segments[2]}`, segments[4], segments.slice(5).join('/'))
    }
    sendError(res, record, 404, 'NotFound', `Sorry, we can't find the page you are looking for: ${url.pathname}`)
  }

  /** Checks repo and revision; answers the hub's 404 and returns false when either is unknown. */
  function knownRevision(res: ServerResponse, record: HfHubRequest, repo: string, revision: string | undefined): boolean {
    if (repo !== options.repo) {
      sendError(res, record, 404, 'RepoNotFound', 'Repository not found')
      return false
    }
    if (revision !== 'main' && revision !== tree.commit) {
      sendError(res, record, 404, 'RevisionNotFound', `Invalid rev id: ${revision ?? ''}`)
      return false
    }
    return true
  }

  function serveRevisionInfo(res: ServerResponse, record: HfHubRequest, url: URL, repo: string, revision: string | undefined): void {
    if (!knownRevision(res, record, repo, revision)) return
    const fields: Record<string, unknown> = {
      private: options.token !== undefined,
      gated: false,
      downloads: 0,
      likes: 0,
      lastModified: new Date(0).toISOString(),
      sha: tree.commit,
    }
    const info: Record<string, unknown> = { _id: tree.commit.slice(0, 24), id: repo }
    for (const field of url.searchParams.getAll('expand')) if (field in fields) info[field] = fields[field]
    record.status = 200
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(info))
  }

  function serveTree(res: ServerResponse, record: HfHubRequest, url: URL, repo: string, revision: string | undefined, folder: string): void {
    if (!knownRevision(res, record, repo, revision)) return
    const entries = entriesUnder(tree, folder, url.searchParams.get('recursive') === 'true')
    if (entries === null) return sendError(res, record, 404, 'EntryNotFound', `${folder} does not exist on "${revision}"`)
    const start = Number(url.searchParams.get('cursor') ?? '0') || 0
    const page = entries.slice(start, start + pageSize)
    const headers: Record<string, string> = { 'Content-Type': 'application/json; charset=utf-8' }
    if (start + pageSize < entries.length) {
      const next = new URL(url.pathname + url.search, baseUrl)
      next.searchParams.set('cursor', String(start + pageSize))
      headers.Link = `<${next.href}>; rel="next"`
    }
    record.status = 200
    res.writeHead(200, headers).end(JSON.stringify(page))
  }

  function serveResolve(req: IncomingMessage, res: ServerResponse, record: HfHubRequest, repo: string, revision: string | undefined, path: string): void {
    if (!knownRevision(res, record, repo, revision)) return
    record.file = path
    const file = tree.files.get(path)
    if (!file) return sendError(res, record, 404, 'EntryNotFound', `${path} does not exist on "${revision}"`)
    const lfs = file.entry.lfs
    if (lfs) {
      const location = new URL(`/cdn-lfs/${lfs.oid}`, baseUrl)
      location.searchParams.set('filename', path)
      record.status = 302
      res
        .writeHead(302, {
          Location: location.href,
          'X-Linked-Etag': `"${lfs.oid}"`,
          'X-Linked-Size': String(lfs.size),
          'X-Repo-Commit': tree.commit,
          ETag: `"${file.entry.oid}"`,
        })
        .end()
      return
    }
    sendFile(req, res, record, file, `"${file.entry.oid}"`)
  }

  function serveCdn(req: IncomingMessage, res: ServerResponse, record: HfHubRequest, url: URL): void {
    const path = url.searchParams.get('filename') ?? ''
    const file = tree.files.get(path)
    record.file = path
    if (!file?.entry.lfs) return sendError(res, record, 404, 'NotFound', 'no such object')
    sendFile(req, res, record, file, `"${file.entry.lfs.oid}"`)
  }

  function sendFile(req: IncomingMessage, res: ServerResponse, record: HfHubRequest, file: RepoFile, etag: string): void {
    const content = corrupted.has(file.path) ? withOneByteChanged(file.content) : file.content
    const size = content.length
    let range = parseRange(req.headers.range, size)
    if (range === 'unsatisfiable') {
      record.status = 416
      res.writeHead(416, { 'Content-Range': `bytes */${size}` }).end()
      return
    }
    if (range && range.start > 0 && ignoreResumeRanges) range = null
    const body = range ? content.subarray(range.start, range.end + 1) : content
    const headers: Record<string, string> = {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(body.length),
      'Accept-Ranges': 'bytes',
      ETag: etag,
      'X-Repo-Commit': tree.commit,
    }
    if (range) headers['Content-Range'] = `bytes ${range.start}-${range.end}/${size}`
    record.status = range ? 206 : 200
    res.writeHead(record.status, headers)
    if (req.method === 'HEAD') return void res.end()
    const fault = body.length > 1 ? faults.get(file.path) : undefined
    if (!fault) return void res.end(body)
    faults.delete(file.path)
    res.write(body.subarray(0, Math.min(fault.afterBytes, body.length)), () => {
      // A cut drops the connection once the bytes are out; a stall keeps it open until close().
      if (fault.kind === 'cut') res.destroy()
    })
  }

  function sendError(res: ServerResponse, record: HfHubRequest, status: number, code: string, message: string): void {
    record.status = status
    res
      .writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'X-Error-Code': code, 'X-Error-Message': message })
      .end(JSON.stringify({ error: message }))
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    url: baseUrl,
    commit: tree.commit,
    requests,
    cutOffOnce: (path, afterBytes) => void faults.set(path, { kind: 'cut', afterBytes }),
    stallOnce: (path, afterBytes) => void faults.set(path, { kind: 'stall', afterBytes }),
    corrupt: (path) => void corrupted.add(path),
    ignoreResumeRanges: (ignore = true) => {
      ignoreResumeRanges = ignore
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** `bytes=a-b`, `bytes=a-` or `bytes=-n` as inclusive offsets; null without one (or for several ranges). */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  const match = header?.match(/^bytes=(\d*)-(\d*)$/)
  if (!match || (match[1] === '' && match[2] === '')) return null
  if (match[1] === '') {
    const suffix = Number(match[2])
    if (suffix === 0) return 'unsatisfiable'
    return { start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(match[1])
  if (start >= size) return 'unsatisfiable'
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1)
  return end < start ? 'unsatisfiable' : { start, end }
}

function withOneByteChanged(content: Buffer): Buffer {
  const copy = Buffer.from(content)
  if (copy.length > 0) {
    const middle = Math.floor(copy.length / 2)
    copy[middle] = copy[middle]! ^ 0xff
  }
  return copy
}
