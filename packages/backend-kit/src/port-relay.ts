import { createServer, type Socket } from 'node:net'
import type { Readable, Writable } from 'node:stream'

/**
 * `bash -c PORT_RELAY_SCRIPT cooperbench-relay <port>`: one TCP connection to 127.0.0.1:<port> in the sandbox over the command's
 * stdin and stdout (bash's `/dev/tcp`: only bash and cat, no network). Stdin's end closes the connection; only the reading `cat`
 * keeps stdout open, so it ends as soon as the server closes its side.
 */
export const PORT_RELAY_SCRIPT = 'exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1\ncat <&3 &\nexec 1>&-\ncat >&3\nkill $! 2>/dev/null\nwait'

/** A relay command's stdin, stdout and stop; the relay handles every stream error and calls `close` once the connection is over. */
export interface RelayChannel {
  input: Writable
  output: Readable
  close(): void
}

export interface PortRelay {
  /** `http://127.0.0.1:<local port>`. */
  url: string
  /** Stops listening, ends every connection and closes every channel, also those still opening. */
  close(): Promise<void>
}

/** A 127.0.0.1 listener piping each connection through a new relay (`open()`), for backends that cannot publish a port; a failure ends one connection. */
export async function startPortRelay(open: () => Promise<RelayChannel>): Promise<PortRelay> {
  const connections = new Set<() => void>()
  let closed = false
  const server = createServer((socket) => {
    if (closed) {
      socket.destroy()
      return
    }
    const connection = relayConnection(socket, open, () => connections.delete(connection))
    connections.add(connection)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  // After listening, a listener failure has nobody to report to; connections fail on their own.
  server.on('error', () => {})
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      closed = true
      const stopping = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const stop of [...connections]) stop()
      await stopping
    },
  }
}

/** Pipes one accepted socket through a channel once it opens; returns its stop function. */
function relayConnection(socket: Socket, open: () => Promise<RelayChannel>, onStopped: () => void): () => void {
  let channel: RelayChannel | null = null
  let stopped = false
  const stop = () => {
    if (stopped) return
    stopped = true
    channel?.close()
    socket.destroy()
    onStopped()
  }
  socket.pause()
  socket.on('error', stop)
  socket.once('close', stop)
  open().then((opened) => {
    if (stopped) {
      opened.close()
      return
    }
    channel = opened
    const { input, output } = opened
    // After the command exited a write fails (EPIPE) or Node destroys stdin silently, unpiping and pausing the socket: drop bytes, not stall.
    const dropClientBytes = () => {
      socket.unpipe(input)
      socket.resume()
    }
    input.on('error', dropClientBytes)
    input.once('close', dropClientBytes)
    output.on('error', stop)
    output.once('end', () => socket.end())
    output.once('close', () => {
      if (!socket.writableEnded) socket.end()
    })
    socket.pipe(input)
    output.pipe(socket, { end: false })
    socket.resume()
  }, stop)
  return stop
}
