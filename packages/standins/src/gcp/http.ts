import type { IncomingMessage, ServerResponse } from 'node:http'

/** A stand-in API's handler: true when it answered the request, false to let another try. */
export type StandinRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>

export function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

export function readBytes(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = (await readBytes(req)).toString('utf8')
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>)
}
