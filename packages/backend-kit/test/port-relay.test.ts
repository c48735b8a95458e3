import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createServer, type Server, type Socket, connect } from 'node:net'
import { PassThrough, Writable } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { signalProcessGroup } from '../src/host-process-group.js'
import { PORT_RELAY_SCRIPT, type RelayChannel, startPortRelay } from '../src/port-relay.js'

/**
 * The relay over real commands: the relay script run by this machine's bash (as the local backend
 * runs it in a sandbox's namespace), to servers on this machine's loopback.
 */
const children = new Set<ChildProcess>()
const servers = new Set<Server>()
afterEach(async () => {
  for (const child of children) signalProcessGroup(child)
  children.clear()
  for (const server of servers) await new Promise((resolve) => server.close(resolve))
  servers.clear()
})

function bashChannel(port: number): Promise<RelayChannel> {
  const child = spawn('bash', ['-c', PORT_RELAY_SCRIPT, 'cooperbench-relay', String(port)], { stdio: ['pipe', 'pipe', 'ignore'], detached: true })
  children.add(child)
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('spawn', () => resolve({ input: child.stdin!, output: child.stdout!, close: () => signalProcessGroup(child) }))
  })
}

async function listen(onConnection: (socket: Socket) => void): Promise<number> {
  const server = createServer(onConnection)
  servers.add(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as { port: number }).port
}

/** A port nothing listens on: one that was just free. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** Connects to the relay, sends `data` (not waiting for it to be read), and resolves with what came back once the connection ended. */
function exchange(url: string, data: Buffer): Promise<{ received: Buffer; error: string | null }> {
  const { port } = new URL(url)
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let error: string | null = null
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(data)
    })
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', (e) => (error = e.message))
    socket.on('close', () => resolve({ received: Buffer.concat(chunks), error }))
  })
}

describe('startPortRelay', () => {
  it('carries bytes both ways to a server in the "sandbox", over several connections at once', async () => {
    const port = await listen((socket) => socket.pipe(socket))
    const relay = await startPortRelay(() => bashChannel(port))
    try {
      const data = randomBytes(1024 * 1024)
      const echoes = await Promise.all(
        [1, 2, 3].map(
          () =>
            new Promise<Buffer>((resolve, reject) => {
              const chunks: Buffer[] = []
              // The relay closes the connection when the client's side ends: read the echo, then close.
              let length = 0
              const socket = connect(Number(new URL(relay.url).port), '127.0.0.1', () => socket.write(data))
              socket.on('data', (chunk: Buffer) => {
                chunks.push(chunk)
                length += chunk.length
                if (length >= data.length) socket.end()
              })
              socket.on('error', reject)
              socket.on('close', () => resolve(Buffer.concat(chunks)))
            }),
        ),
      )
      for (const echo of echoes) expect(echo.equals(data)).toBe(true)
    } finally {
      await relay.close()
    }
  })

  it('a relay command that exits at once (nothing listens yet) while the client sends: the connection ends, the harness lives', async () => {
    // What the OpenHands bridge does while its server starts: each poll's request meets a relay
    // whose `/dev/tcp` open failed; writing into that command's closed stdin is an EPIPE.
    const port = await closedPort()
    const relay = await startPortRelay(() => bashChannel(port))
    try {
      for (let i = 0; i < 5; i++) {
        const { received } = await exchange(relay.url, randomBytes(4 * 1024 * 1024))
        expect(received.length).toBe(0)
      }
    } finally {
      await relay.close()
    }
  })

  it('a command whose stdin goes with no error (Node destroys it when the command exits) while the client sends: the connection still ends', async () => {
    // Under load the command can exit before any write has failed: the stream is destroyed, not
    // errored, and piping stops there. The client's bytes must still be drained, or it never ends.
    const relay = await startPortRelay(async () => {
      const input = new Writable({ highWaterMark: 1024, write() {} }) // reads nothing, as a command that never started
      const output = new PassThrough()
      setTimeout(() => {
        input.destroy()
        output.end()
      }, 100)
      return { input, output, close: () => (input.destroy(), output.destroy()) }
    })
    try {
      const { received } = await exchange(relay.url, randomBytes(4 * 1024 * 1024))
      expect(received.length).toBe(0)
    } finally {
      await relay.close()
    }
  }, 20_000)

  it('a server that answers and closes before reading the request: the answer arrives whole, the rest of the upload is dropped', async () => {
    const answer = Buffer.from('HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
    const port = await listen((socket) => {
      socket.once('data', () => socket.end(answer))
      socket.on('error', () => {})
    })
    const relay = await startPortRelay(() => bashChannel(port))
    try {
      for (let i = 0; i < 3; i++) {
        const { received } = await exchange(relay.url, randomBytes(8 * 1024 * 1024))
        expect(received.toString()).toBe(answer.toString())
      }
    } finally {
      await relay.close()
    }
  })

  it('a channel whose streams fail, or that cannot be opened, ends that connection only', async () => {
    let opened = 0
    const relay = await startPortRelay(async () => {
      opened++
      if (opened === 1) throw new Error('cannot start the relay command')
      const channel = await bashChannel(await closedPort())
      // A transport that reports a failure on both streams (e.g. an SSH channel that drops).
      setTimeout(() => {
        channel.input.emit('error', new Error('write EPIPE'))
        channel.output.emit('error', new Error('read ECONNRESET'))
      }, 50)
      return channel
    })
    try {
      expect((await exchange(relay.url, Buffer.from('hello'))).received.length).toBe(0)
      expect((await exchange(relay.url, randomBytes(64 * 1024))).received.length).toBe(0)
      const port = Number(new URL(relay.url).port)
      expect(port).toBeGreaterThan(0)
    } finally {
      await relay.close()
    }
  })

  it('close() ends every relay command it started and every connection, even one still opening', async () => {
    const port = await listen(() => {})
    let release: () => void = () => {}
    const late = new Promise<void>((resolve) => (release = resolve))
    const started: ChildProcess[] = []
    let calls = 0
    const relay = await startPortRelay(async () => {
      calls++
      if (calls === 2) await late
      const channel = await bashChannel(port)
      started.push([...children].at(-1)!)
      return channel
    })
    const relayPort = Number(new URL(relay.url).port)
    const first = connect(relayPort, '127.0.0.1')
    const firstClosed = new Promise((resolve) => first.on('close', resolve))
    first.on('error', () => {})
    await new Promise((resolve) => setTimeout(resolve, 300))
    const second = connect(relayPort, '127.0.0.1')
    second.on('error', () => {})
    const secondClosed = new Promise((resolve) => second.on('close', resolve))
    while (calls < 2) await new Promise((resolve) => setTimeout(resolve, 20))
    const closing = relay.close()
    release()
    await closing
    await Promise.all([firstClosed, secondClosed])
    const exits = started.map((child) =>
      child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', resolve)),
    )
    await Promise.all(exits)
    expect(started.every((child) => child.signalCode === 'SIGKILL' || child.exitCode !== null)).toBe(true)
    expect(started.length).toBeGreaterThanOrEqual(1)
  })
})
