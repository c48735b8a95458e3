import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { CooperbenchError, isCooperbenchError } from '@cooperbench/core'
import { APP_FILES, appDir, indexHtml } from './app-files.js'
import { ViewerSource, type ViewerSourceOptions } from './viewer-source.js'

export interface StartViewerOptions extends ViewerSourceOptions {
  /** 0 picks a free port. Default 7878. */
  port?: number
  /** Default 127.0.0.1: the viewer is for this machine only. */
  host?: string
  /** How often the page re-reads the data (ms). Default 3000. */
  pollMs?: number
}

export interface RunningViewer {
  url: string
  port: number
  close(): Promise<void>
}

export const DEFAULT_PORT = 7878

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' }

/** Serves the page, `/api/data` and `/api/pairs/<id>`, read per request (briefly cached) so an open page follows a running run. */
export async function startViewer(options: StartViewerOptions = {}): Promise<RunningViewer> {
  const source = new ViewerSource(options)
  await source.check()
  // Read once: the page keeps working while a rebuild replaces dist/app.
  const dir = appDir()
  const assets = new Map<string, Buffer>()
  for (const name of APP_FILES) assets.set(`/${name}`, await readFile(join(dir, name)))
  const page = indexHtml({ mode: 'live', pollMs: options.pollMs ?? 3000 })
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => sendError(response, error))
  })

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, 'text/plain', 'GET only')
    if (path === '/' || path === '/index.html') return send(response, 200, 'text/html; charset=utf-8', page)
    const asset = assets.get(path)
    if (asset) return send(response, 200, TYPES[path.slice(path.lastIndexOf('.'))]!, asset)
    if (path === '/api/data') return sendJson(response, 200, await source.data())
    const raw = /^\/api\/pairs\/([0-9a-f]{16})\/files\/([\w./-]+)$/.exec(path)
    if (raw) {
      const file = await source.trajectoryFile(raw[1]!, raw[2]!)
      const body = file ? await readFile(file).catch(() => null) : null
      return body ? send(response, 200, 'application/json; charset=utf-8', body) : send(response, 404, 'text/plain', 'no such trajectory')
    }
    const pair = /^\/api\/pairs\/([0-9a-f]{16})$/.exec(path)
    if (pair) {
      const detail = await source.pair(pair[1]!)
      return detail
        ? sendJson(response, 200, detail)
        : sendJson(response, 404, { error: `no pair ${pair[1]} in the runs shown`, hint: 'The run folder may have been removed; go back to the pair list.' })
    }
    return send(response, 404, 'text/plain', 'not found')
  }

  const port = await listen(server, options.port ?? DEFAULT_PORT, options.host ?? '127.0.0.1')
  const host = options.host ?? '127.0.0.1'
  return {
    url: `http://${host}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolvePromise) => {
        server.close(() => resolvePromise())
        server.closeAllConnections()
      }),
  }
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(new CooperbenchError('USAGE', `port ${port} on ${host} is already in use`, { hint: 'Pass another --port, or --port 0 for any free port.' }))
      } else if (error.code === 'EACCES') {
        reject(
          new CooperbenchError('USAGE', `not allowed to listen on port ${port}`, {
            hint: 'Ports below 1024 need privileges; pass --port 0 for any free port.',
          }),
        )
      } else reject(error)
    })
    server.listen(port, host, () => resolvePromise((server.address() as AddressInfo).port))
  })
}

function send(response: ServerResponse, status: number, type: string, body: string | Buffer) {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' })
  response.end(body)
}

function sendJson(response: ServerResponse, status: number, value: unknown) {
  send(response, status, 'application/json; charset=utf-8', JSON.stringify(value))
}

function sendError(response: ServerResponse, error: unknown) {
  const known = isCooperbenchError(error)
  const body = {
    error: error instanceof Error ? error.message : String(error),
    hint: known ? (error as CooperbenchError).hint : 'This looks like a bug in cooperbench view; the server log may say more.',
  }
  if (!response.headersSent) sendJson(response, 500, body)
  else response.end()
}
