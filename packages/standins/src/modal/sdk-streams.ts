import { Readable, type Writable } from 'node:stream'
import type { Tunnel } from 'modal'
import type { ModalProcess } from './modal-surface.js'

/** The SDK's stream shapes over Node streams, shared by the stand-ins' sandboxes (Docker containers, host processes). */
type ReadStream = ModalProcess['stdout']
type WriteStream = ModalProcess['stdin']

export function readStream(source: Readable): ReadStream {
  const web = Readable.toWeb(source) as unknown as ReadableStream<Uint8Array>
  const readBytes = async (): Promise<Uint8Array> => {
    const chunks: Uint8Array[] = []
    for await (const chunk of web) chunks.push(chunk)
    return Buffer.concat(chunks)
  }
  return Object.assign(web, {
    readBytes,
    readText: async () => Buffer.from(await readBytes()).toString('utf8'),
  }) as ReadStream
}

export function writeStream(target: Writable): WriteStream {
  const web = new WritableStream<Uint8Array>({
    write: (chunk) =>
      new Promise<void>((resolve, reject) => {
        target.write(chunk, (error) => (error ? reject(error) : resolve()))
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (target.destroyed || target.writableFinished) return resolve()
        target.once('close', () => resolve())
        target.once('error', () => resolve())
        target.end(() => resolve())
      }),
  })
  const writer = () => web.getWriter()
  const stream = Object.assign(web, {
    writeBytes: async (bytes: Uint8Array) => {
      const w = writer()
      try {
        await w.write(bytes)
      } finally {
        w.releaseLock()
      }
    },
    writeText: async (text: string) => {
      const w = writer()
      try {
        await w.write(Buffer.from(text, 'utf8'))
      } finally {
        w.releaseLock()
      }
    },
  }) as unknown as WriteStream
  // A getter, as on the SDK's stream: Object.assign would call it.
  Object.defineProperty(stream, 'tcpSocket', {
    get: () => {
      throw new Error('stdin has no TCP socket')
    },
  })
  return stream
}

/** A tunnel to a port of a sandbox on the host's network: the port itself on 127.0.0.1. (The SDK exports `Tunnel` as a type only.) */
export class HostTunnel implements Tunnel {
  readonly host = '127.0.0.1'
  readonly unencryptedHost = '127.0.0.1'
  constructor(readonly port: number) {}
  get unencryptedPort(): number {
    return this.port
  }
  get url(): string {
    return `https://${this.host}:${this.port}`
  }
  get tlsSocket(): [string, number] {
    return [this.host, this.port]
  }
  get tcpSocket(): [string, number] {
    return [this.unencryptedHost, this.unencryptedPort]
  }
}
