import { type ChildProcess, spawn } from 'node:child_process'
import { lstatSync, readdirSync, readlinkSync } from 'node:fs'
import { cp, mkdir, rm } from 'node:fs/promises'
import { createServer, type Socket } from 'node:net'
import { setPriority } from 'node:os'
import { dirname, join } from 'node:path'
import { FrameReader, frame, Frames } from './host-frames.js'

/**
 * The sandbox side of {@link hostModalStandin}, a process of its own, as a remote service's would
 * be: it keeps the sandboxes (folders under `root`) and runs their commands, so neither the
 * forks nor the sandboxes' state weigh on the harness's process. One connection per call on the
 * Unix socket: a JSON line (`create`, `exec`, `terminate`), then frames both ways (`./host-frames.ts`).
 * It exits when its stdin ends (the harness is gone), killing what runs and removing `root` and the socket's folder.
 *
 * `node host-sandbox-server.js <socket path> <root>`; prints `ready` once listening.
 */
type Call =
  | { op: 'create'; id: string; repo: string }
  | { op: 'exec'; id: string; argv: string[]; workdir?: string; env?: Record<string, string> }
  | { op: 'terminate'; id: string }

/** Host entries a sandbox gets its own of, or none. */
const OWN_PATHS = new Set(['/proc', '/dev', '/sys', '/tmp', '/run', '/workspace', '/patches'])
const [socketPath, root] = process.argv.slice(2) as [string, string]
const running = new Map<string, Set<ChildProcess>>()
const hostRoot = hostRootArgs()
// Sandboxes of a remote service run on its machines: here, below the harness, so that the harness's
// responsiveness measured beside them is its own and not the scheduler's.
setPriority(19)

const server = createServer((socket) => {
  socket.on('error', () => {})
  let header = ''
  const onHeader = (chunk: Buffer) => {
    const newline = chunk.indexOf(10)
    if (newline < 0) {
      header += chunk.toString('utf8')
      return
    }
    socket.off('data', onHeader)
    const call = JSON.parse(header + chunk.subarray(0, newline).toString('utf8')) as Call
    const rest = chunk.subarray(newline + 1)
    answer(call, socket, rest).catch((error: unknown) => socket.end(frame(Frames.failed, Buffer.from(String(error)))))
  }
  socket.on('data', onHeader)
})

async function answer(call: Call, socket: Socket, rest: Buffer): Promise<void> {
  const dir = join(root, call.id)
  if (call.op === 'create') {
    await Promise.all(['tmp', 'run', 'patches'].map((name) => mkdir(join(dir, name), { recursive: true })))
    await cp(call.repo, join(dir, 'repo'), { recursive: true, verbatimSymlinks: true })
    running.set(call.id, new Set())
    return void socket.end(frame(Frames.exit, Buffer.from('0')))
  }
  if (call.op === 'terminate') {
    for (const child of running.get(call.id) ?? []) child.kill('SIGKILL')
    running.delete(call.id)
    await rm(dir, { recursive: true, force: true })
    return void socket.end(frame(Frames.exit, Buffer.from('0')))
  }
  const children = running.get(call.id)
  if (!children) return void socket.end(frame(Frames.failed, Buffer.from(`no sandbox ${call.id}`)))
  const env = Object.entries({ PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', ...call.env })
  const args = [
    '--die-with-parent',
    ...hostRoot,
    ...['--dev-bind', '/dev', '/dev', '--bind', '/proc', '/proc'],
    ...['--bind', join(dir, 'tmp'), '/tmp', '--bind', join(dir, 'run'), '/run'],
    ...['--bind', join(dir, 'repo'), '/workspace/repo', '--bind', join(dir, 'patches'), '/patches'],
    ...['--chdir', call.workdir ?? '/workspace/repo', '--clearenv'],
    ...env.flatMap(([key, value]) => ['--setenv', key, value]),
    '--',
    ...call.argv,
  ]
  const child = spawn('bwrap', args, { stdio: ['pipe', 'pipe', 'pipe'] })
  children.add(child)
  child.stdin.on('error', () => {})
  child.stdout.on('data', (data: Buffer) => socket.write(frame(Frames.stdout, data)))
  child.stderr.on('data', (data: Buffer) => socket.write(frame(Frames.stderr, data)))
  child.once('error', (error) => socket.end(frame(Frames.failed, Buffer.from(error.message))))
  child.once('close', (code, signal) => {
    children.delete(child)
    socket.end(frame(Frames.exit, Buffer.from(String(code ?? (signal ? 137 : 1)))))
  })
  // The caller gave up (its deadline, a kill): the command goes too.
  socket.once('close', () => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'))
  const reader = new FrameReader((kind, payload) => {
    if (kind === Frames.stdin) child.stdin.write(payload)
    else if (kind === Frames.stdinEnd) child.stdin.end()
  })
  socket.on('data', (chunk: Buffer) => reader.push(chunk))
  if (rest.length > 0) reader.push(rest)
}

/** bwrap arguments rebuilding the host's root read-only in an empty one, without the paths a sandbox has its own of. */
function hostRootArgs(): string[] {
  const args = ['--tmpfs', '/']
  for (const name of readdirSync('/')) {
    const path = `/${name}`
    if (OWN_PATHS.has(path)) continue
    const entry = lstatSync(path, { throwIfNoEntry: false })
    if (entry?.isSymbolicLink()) args.push('--symlink', readlinkSync(path), path)
    else if (entry?.isDirectory() || entry?.isFile()) args.push('--ro-bind', path, path)
  }
  return args
}

process.stdin.on('data', () => {})
process.stdin.on('end', () => {
  for (const children of running.values()) for (const child of children) child.kill('SIGKILL')
  void Promise.all([rm(root, { recursive: true, force: true }), rm(dirname(socketPath), { recursive: true, force: true })]).finally(() => process.exit(0))
})
// Thousands of calls may arrive at once: a short queue would refuse connections (EAGAIN on a Unix socket).
server.listen({ path: socketPath, backlog: 65_535 }, () => process.stdout.write('ready\n'))
