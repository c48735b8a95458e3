import { createServer, type Socket } from 'node:net'
import type { Readable, Writable } from 'node:stream'

/**
 * `bash -c PORT_RELAY_SCRIPT cooperbench-relay <port>`: one TCP connection to 127.0.0.1:<port>
 * inside the sandbox, carried over the command's stdin and stdout (bash's `/dev/tcp`, so no tool
 * beyond bash and cat, and no network). When stdin ends, the connection is closed.
 */
export const PORT_RELAY_SCRIPT = 'exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1\ncat <&3 &\ncat >&3\nkill $! 2>/dev/null\nwait'

/** A command running the relay in the sandbox: its stdin, its stdout, and how to stop it. */
export interface RelayChannel {
  input: Writable
  output: Readable
  close(): void
}

export interface PortRelay {
  /** `http://127.0.0.1:<local port>`. */
  url: string
  close(): Promise<void>
}

/**
 * A listener on 127.0.0.1 whose every connection is piped through a new relay command in the
 * sandbox (`open()`), for backends that can run a command with streams but cannot publish a
 * port. Keep-alive HTTP and WebSockets each hold one command for their connection's life.
 */
export async function startPortRelay(open: () => Promise<RelayChannel>): Promise<PortRelay> {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    socket.pause()
    open().then(
      (channel) => {
        const stop = () => {
          channel.close()
          socket.destroy()
        }
        socket.on('data', (chunk) => channel.input.write(chunk))
        socket.on('end', () => channel.input.end())
        socket.on('error', stop)
        socket.on('close', () => channel.close())
        channel.output.on('data', (chunk: Buffer) => socket.write(chunk))
        channel.output.on('end', () => socket.end())
        channel.output.on('error', stop)
        socket.resume()
      },
      () => socket.destroy(),
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
