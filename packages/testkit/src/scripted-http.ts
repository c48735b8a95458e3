import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { RecordedRequest } from './llm-server/types.js'

/**
 * The HTTP shell the scripted model servers share (the OpenAI chat one and the wire-protocol
 * ones): listening on 127.0.0.1, scripted delays that a client going away or `close()` cut short,
 * and a close that ends the open connections at once.
 */
export interface ScriptedHttpShell {
  /** Listens on 127.0.0.1 (`port`, else a free port); resolves the port. */
  listen(port?: number): Promise<number>
  /** Whether `close()` was called. */
  readonly closed: boolean
  /** Resolves true after `ms`, false as soon as the client goes away or the server closes. */
  wait(ms: number, res: ServerResponse): Promise<boolean>
  /** Cancels the pending waits, closes the server and its connections; once. */
  close(): Promise<void>
}

/** The shell around `server` (not listening yet). */
export function scriptedHttpShell(server: Server): ScriptedHttpShell {
  const pending = new Set<() => void>()
  let closed = false
  let closing: Promise<void> | undefined
  return {
    async listen(port = 0) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, '127.0.0.1', () => {
          server.off('error', reject)
          resolve()
        })
      })
      return (server.address() as AddressInfo).port
    },
    get closed() {
      return closed
    },
    wait(ms, res) {
      return new Promise((resolve) => {
        const finish = (completed: boolean): void => {
          clearTimeout(timer)
          pending.delete(cancel)
          res.off('close', cancel)
          resolve(completed && !res.destroyed && !closed)
        }
        const cancel = (): void => finish(false)
        const timer = setTimeout(() => finish(true), ms)
        pending.add(cancel)
        res.once('close', cancel)
      })
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        closed = true
        for (const cancel of [...pending]) cancel()
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closing
    },
  }
}

/** The request body as text; what arrived when the client aborts. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
    req.on('aborted', () => resolve(Buffer.concat(chunks).toString('utf8')))
  })
}

/**
 * The record of a request as it arrives (no body yet), its headers but `secretHeaders` kept; marked
 * `aborted` when the client goes away before the answer is complete.
 */
export function recordArrival(
  req: IncomingMessage,
  res: ServerResponse,
  index: number,
  authorized: boolean,
  secretHeaders: readonly string[],
): Omit<RecordedRequest, 'body'> & { body: null } {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(req.headers)) {
    if (secretHeaders.includes(name) || value === undefined) continue
    headers[name] = Array.isArray(value) ? value.join(', ') : value
  }
  const record = {
    index,
    method: req.method ?? 'GET',
    path: req.url ?? '/',
    headers,
    authorized,
    body: null,
    turn: null,
    status: 0,
    aborted: false,
    receivedAt: Date.now(),
  }
  res.on('close', () => {
    if (!res.writableFinished) record.aborted = true
  })
  return record
}
