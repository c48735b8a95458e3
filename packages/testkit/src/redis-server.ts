import { type ChildProcess, spawn } from 'node:child_process'
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs'
import { createConnection, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

export interface RedisServerOptions {
  /** Port to listen on; a free one is picked when absent. */
  port?: number
  /** Never persisted: the server runs with `--save '' --appendonly no`, so a restart loses every key. */
  persistence?: false
  /** How long `start` and `restart` wait for the server to answer PING. Default 10 000 ms. */
  readyTimeoutMs?: number
}

export interface RestartOptions {
  /** How long the server stays down between the kill and the new start. Default 0. */
  downtimeMs?: number
}

/** A throwaway `redis-server` owned by a test: always bound to 127.0.0.1, never persisted. */
export interface RedisServerFixture {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string
  readonly port: number
  /** The pid of the current server process (changes on restart). */
  readonly pid: number
  /** Kills the server (SIGKILL) and starts a fresh one on the same port: every key is gone. */
  restart(options?: RestartOptions): Promise<void>
  /** Stops the server (SIGTERM, then SIGKILL) and removes its directory. Idempotent. */
  stop(): Promise<void>
}

/** The `redis-server` executable on PATH (or `/usr/bin/redis-server`), or null when there is none. */
export function redisServerBinary(): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin', '/usr/local/bin']
  for (const dir of dirs) {
    const candidate = join(dir, 'redis-server')
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here
    }
  }
  return null
}

/**
 * Why tests that need a real Redis should skip, or false when they should run. Under `CI` they
 * always run, so a missing `redis-server` fails them instead of hiding them.
 */
export function redisServerSkipReason(): string | false {
  if (process.env.CI) return false
  return redisServerBinary() ? false : 'redis-server is not installed (apt-get install redis-server); Redis tests skipped'
}

/** Every server started by this process; killed on exit should a test forget `stop()`. */
const running = new Set<ChildProcess>()
let exitHookInstalled = false

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL')
  })
}

/**
 * Starts `redis-server --port <port> --bind 127.0.0.1 --save '' --appendonly no` in a private
 * temporary directory and waits until it answers PING.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServerFixture> {
  const binary = redisServerBinary()
  if (!binary) throw new Error('redis-server is not installed: install it (e.g. apt-get install redis-server) to run the Redis tests')
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000
  const dir = mkdtempSync(join(tmpdir(), 'cooperbench-redis-'))
  installExitHook()

  let port = options.port ?? 0
  let child: ChildProcess | null = null
  // A free port found by binding port 0 can be taken by someone else before redis binds it: retry.
  for (let attempt = 1; ; attempt++) {
    if (options.port === undefined) port = await freePort()
    try {
      child = await launch(binary, port, dir, readyTimeoutMs)
      break
    } catch (error) {
      if (options.port !== undefined || attempt >= 3) {
        rmSync(dir, { recursive: true, force: true })
        throw error
      }
    }
  }

  let current: ChildProcess = child
  let stopped = false
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return current.pid ?? -1
    },
    async restart(restartOptions: RestartOptions = {}) {
      if (stopped) throw new Error('redis-server fixture: restart after stop')
      await kill(current, 'SIGKILL')
      if (restartOptions.downtimeMs) await sleep(restartOptions.downtimeMs)
      current = await launch(binary, port, dir, readyTimeoutMs)
    },
    async stop() {
      if (stopped) return
      stopped = true
      await kill(current, 'SIGTERM', 3_000)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

async function launch(binary: string, port: number, dir: string, readyTimeoutMs: number): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--loglevel', 'warning']
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  running.add(child)
  let output = ''
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4_000)
  }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  let exited = false
  child.once('exit', () => {
    exited = true
    running.delete(child)
  })
  child.once('error', (error) => {
    exited = true
    output += `\n${error.message}`
    running.delete(child)
  })

  const deadline = Date.now() + readyTimeoutMs
  while (!(await answersPing(port))) {
    if (exited || Date.now() > deadline) {
      await kill(child, 'SIGKILL')
      throw new Error(`redis-server did not start on port ${port}${exited ? ' (it exited)' : ''}: ${output.trim() || 'no output'}`)
    }
    await sleep(25)
  }
  return child
}

/** True when something on 127.0.0.1:port answers `PING` with `+PONG`. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    let reply = ''
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.once('error', () => done(false))
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8')
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'))
    })
  })
}

async function kill(child: ChildProcess, signal: NodeJS.Signals, graceMs = 2_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill(signal)
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await exited
  clearTimeout(timer)
}

/** A TCP port on 127.0.0.1 that nothing listened on a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}
