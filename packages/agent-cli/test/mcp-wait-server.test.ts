import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { describe, expect, it, type TestContext } from 'vitest'
import { mcpWaitServerScript, WAIT_FOR_MESSAGE_TOOL } from '../src/mcp-wait-server.js'
import { referenceInboxEntry } from '../src/reference/coop-commands.js'
import { teammateCommandScripts } from '../src/teammate-commands.js'

/**
 * The `wait_for_message` MCP server as a CLI runs it: the generated script under a real `sh`,
 * one JSON-RPC message a line on stdin, every line it prints parsed as JSON. Its mailbox is a
 * temporary folder; a `sleep` on its PATH marks when it has looked at an empty inbox, so a
 * message can be dropped while it waits. Run with every awk this machine has (task images bring
 * mawk, gawk or busybox's).
 */

/** The awks to run the server with: the default `awk`, and mawk when it is here (the demo image's). */
const AWKS = ['awk', ...['mawk', 'busybox'].filter((name) => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0)]

interface JsonRpcMessage {
  jsonrpc: string
  id: unknown
  result?: any
  error?: { code: number; message: string }
}

/** The server running under `sh`, with its mailbox, and a line reader over what it prints. */
class ServerUnderTest {
  private readonly lines: string[] = []
  private waiter: (() => void) | null = null
  readonly child: ChildProcessWithoutNullStreams

  constructor(
    readonly dir: string,
    script: string,
    bin: string,
  ) {
    this.child = spawn('sh', [script], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, MARKS: dir } })
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      this.lines.push(line)
      this.waiter?.()
    })
  }

  send(message: unknown): void {
    this.child.stdin.write(`${typeof message === 'string' ? message : JSON.stringify(message)}\n`)
  }

  /** The next line it prints, parsed (a line that is not JSON fails the test). */
  async next(): Promise<JsonRpcMessage> {
    while (this.lines.length === 0) await new Promise<void>((resolve) => (this.waiter = resolve))
    this.waiter = null
    return JSON.parse(this.lines.shift()!) as JsonRpcMessage
  }

  async call(id: unknown, method: string, params?: unknown): Promise<JsonRpcMessage> {
    this.send({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) })
    return this.next()
  }

  /** Stdin closed: the server exits 0; returns what it printed that was not read yet. */
  async end(): Promise<string[]> {
    const exited = new Promise<number | null>((resolve) => this.child.on('exit', resolve))
    this.child.stdin.end()
    expect(await exited).toBe(0)
    return this.lines
  }
}

const waitCall = (timeout?: unknown) => ({ name: 'wait_for_message', arguments: timeout === undefined ? {} : { timeout_seconds: timeout } })
const textOf = (reply: JsonRpcMessage): string => {
  expect(reply.result?.isError).toBe(false)
  expect(reply.result?.content).toHaveLength(1)
  expect(reply.result.content[0].type).toBe('text')
  return reply.result.content[0].text as string
}

/**
 * One server under `sh` with `awk`, its mailbox in a fresh folder; stopped and removed when the
 * test ends (`finished`: the test's own `onTestFinished`, which concurrent tests must use).
 */
async function startServer(awk: string, finished: TestContext['onTestFinished'], reference: Record<string, unknown> | null = null) {
  const dir = await mkdtemp(join(tmpdir(), 'cb-mcp-wait-'))
  const mail = join(dir, 'mail')
  await Promise.all(['inbox', 'read', 'outbox'].map((d) => mkdir(join(mail, d), { recursive: true })))
  const bin = join(dir, 'bin')
  await mkdir(bin)
  // Every awk the script calls is this one; `sleep` first marks that the server found the inbox empty.
  if (awk !== 'awk') {
    const path = spawnSync('sh', ['-c', `command -v ${awk}`], { encoding: 'utf8' }).stdout.trim()
    if (awk === 'busybox') await writeFile(join(bin, 'awk'), `#!/bin/sh\nexec ${path} awk "$@"\n`, { mode: 0o755 })
    else await symlink(path, join(bin, 'awk'))
  }
  const sleep = spawnSync('sh', ['-c', 'command -v sleep'], { encoding: 'utf8' }).stdout.trim()
  await writeFile(join(bin, 'sleep'), `#!/bin/sh\ntouch "$MARKS/waiting"\nexec ${sleep} "$@"\n`, { mode: 0o755 })
  const script = join(dir, 'coop-mcp-wait')
  // Progress every second, so that a short wait shows it (30 s in the sandbox).
  await writeFile(script, mcpWaitServerScript({ mailDir: mail, progressSeconds: 1, reference }), { mode: 0o755 })
  const server = new ServerUnderTest(dir, script, bin)
  finished(async () => {
    server.child.kill('SIGKILL')
    await rm(dir, { recursive: true, force: true })
  })
  return {
    server,
    mail,
    /** Drops a message into the inbox the way the harness's poll does: a temp file renamed into place. */
    async deliver(name: string, text: string): Promise<void> {
      await writeFile(join(mail, 'inbox', `.${name}.tmp`), text)
      await rename(join(mail, 'inbox', `.${name}.tmp`), join(mail, 'inbox', name))
    },
    /** Resolves once the server has found the inbox empty and gone to sleep. */
    async waiting(): Promise<void> {
      while (!existsSync(join(dir, 'waiting'))) await new Promise((resolve) => setTimeout(resolve, 20))
    },
  }
}

/** A declaration in the reference's shape, as the seat gives it (`waitForMessages.declaration`: the user's copy of upstream's, not ours). */
const REFERENCE_TOOL = {
  name: 'wait_for_message',
  description: 'the description as the user copied it',
  inputSchema: { type: 'object', properties: { timeout_ms: { type: 'integer', minimum: 100, maximum: 30000, default: 5000, description: 'copied' } } },
}

describe.concurrent.each(AWKS)("the reference's wait_for_message server (protocol: reference) under sh, with %s", (awk) => {
  it("answers initialize and tools/list as upstream's server; a call returns one raw message (json.dumps) or upstream's timeout text", async ({
    onTestFinished,
  }) => {
    const { server, mail, deliver, waiting } = await startServer(awk, onTestFinished, REFERENCE_TOOL)
    expect((await server.call(0, 'initialize', { protocolVersion: '2025-03-26' })).result).toEqual({
      protocolVersion: '2025-06-18',
      capabilities: { tools: { listChanged: false } },
      serverInfo: { name: 'cooperbench-team', version: '0.1.0' },
    })
    expect((await server.call(1, 'tools/list')).result).toEqual({ tools: [REFERENCE_TOOL] })
    const entries = [1, 2].map((n) =>
      referenceInboxEntry({ id: `m${n}`, from: 'agent1', to: 'agent2', content: `héllo "${n}"\nline`, timestamp: '2026-05-19T10:00:00.250Z' }),
    )
    await deliver('1-1.msg', entries[0]!)
    await deliver('2-2.msg', entries[1]!)
    const call = (id: number, timeout_ms?: number) =>
      server.call(id, 'tools/call', { name: 'wait_for_message', arguments: timeout_ms === undefined ? {} : { timeout_ms } })
    const first = textOf(await call(2, 300))
    // One message a call, as Python's json.dumps writes the entry upstream's helper pushed.
    const python = spawnSync('python3', ['-c', 'import json,sys; print(json.dumps(json.loads(sys.stdin.read())))'], { input: entries[0], encoding: 'utf8' })
    expect(first).toBe(python.stdout.trimEnd())
    expect(await readdir(join(mail, 'inbox'))).toEqual(['2-2.msg'])
    expect(JSON.parse(textOf(await call(3))).content).toBe('héllo "2"\nline')
    server.send({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'wait_for_message', arguments: { timeout_ms: 200 } } })
    await waiting()
    expect(textOf(await server.next())).toBe('(no message arrived within the timeout)')
  })
})

// Each test has its own server and folder: they run at once (most of their time is the server's one-second polls).
describe.concurrent.each(AWKS)('the wait_for_message MCP server under sh, with %s', (awk) => {
  it('initialize echoes the client’s protocol version; notifications get no answer; tools/list has the one tool', async ({ onTestFinished }) => {
    const { server } = await startServer(awk, onTestFinished)
    const init = await server.call(0, 'initialize', { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'test', version: '1', id: 7 } })
    expect(init).toEqual({
      jsonrpc: '2.0',
      id: 0,
      // Upstream's capabilities and server info (team_harness/mcp_server.py); the version is the client's.
      result: { protocolVersion: '2025-03-26', capabilities: { tools: { listChanged: false } }, serverInfo: { name: 'cooperbench-team', version: '0.1.0' } },
    })
    server.send({ jsonrpc: '2.0', method: 'notifications/initialized' })
    // The id after params, as the MCP TypeScript SDK orders it, and a nested `id` before it.
    server.send('{"method":"tools/list","params":{"_meta":{"id":99}},"jsonrpc":"2.0","id":1}')
    const list = await server.next()
    expect(list.id).toBe(1)
    expect(list.result.tools).toHaveLength(1)
    const [tool] = list.result.tools
    expect(tool.name).toBe(WAIT_FOR_MESSAGE_TOOL.name)
    expect(tool.inputSchema).toMatchObject({ type: 'object', properties: { timeout_seconds: { type: 'number' } } })
    expect(tool.inputSchema.required).toBeUndefined()
    expect(await server.call('p', 'ping')).toEqual({ jsonrpc: '2.0', id: 'p', result: {} })
    expect(await server.end()).toEqual([])
  })

  it('a call waits on the inbox: a message dropped while it waits comes back as check_messages prints it, and is filed in read/', async ({
    onTestFinished,
  }) => {
    const { server, mail, deliver, waiting } = await startServer(awk, onTestFinished)
    server.send({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: waitCall(30) })
    await waiting()
    await deliver('1700000000000000000-1.msg', '[Message from agent2]: the parser is in src/parse.py')
    const reply = await server.next()
    expect(reply.id).toBe(5)
    expect(textOf(reply)).toBe('[Message from agent2]: the parser is in src/parse.py')
    expect(await readdir(join(mail, 'inbox'))).toEqual([])
    expect(await readdir(join(mail, 'read'))).toEqual(['1700000000000000000-1.msg'])
    // Read once: the next call finds nothing.
    expect(textOf(await server.call(6, 'tools/call', waitCall(0)))).toBe('No new messages within 0 s.')
  })

  it('messages already waiting come back at once, oldest first, one a line; a timeout with none says so', async ({ onTestFinished }) => {
    const { server, mail, deliver } = await startServer(awk, onTestFinished)
    await deliver('2-1.msg', '[Message from agent3]: second')
    await deliver('1-1.msg', '[Message from agent2]: first')
    await writeFile(join(mail, 'inbox', '.3-1.msg.tmp'), 'half-written')
    expect(textOf(await server.call(1, 'tools/call', waitCall()))).toBe('[Message from agent2]: first\n[Message from agent3]: second')
    expect(textOf(await server.call(2, 'tools/call', waitCall(1)))).toBe('No new messages within 1 s.')
    // A string of digits is taken as the number.
    expect(textOf(await server.call(3, 'tools/call', waitCall('0')))).toBe('No new messages within 0 s.')
    expect(existsSync(join(mail, 'inbox', '.3-1.msg.tmp'))).toBe(true)
  })

  it('while a call that carries a progressToken waits, it sends progress notifications for that token; a call without one gets none', async ({
    onTestFinished,
  }) => {
    const { server } = await startServer(awk, onTestFinished)
    server.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { ...waitCall(2), _meta: { progressToken: 'tok-1' } } })
    const progress: JsonRpcMessage[] = []
    let reply = await server.next()
    while (reply.id === undefined) {
      progress.push(reply)
      reply = await server.next()
    }
    expect(textOf(reply)).toBe('No new messages within 2 s.')
    expect(progress.length).toBeGreaterThanOrEqual(1)
    const steps = progress.map((p) => p as unknown as { method: string; params: { progressToken: unknown; progress: number; total: number } })
    for (const step of steps) expect(step).toMatchObject({ method: 'notifications/progress', params: { progressToken: 'tok-1', total: 2 } })
    const values = steps.map((step) => step.params.progress)
    expect(values).toEqual([...values].sort((a, b) => a - b))
    expect(new Set(values).size).toBe(values.length)
    // Without a token: the result alone.
    expect(textOf(await server.call(2, 'tools/call', waitCall(1)))).toBe('No new messages within 1 s.')
  })

  it('escapes what JSON must: quotes, backslashes, newlines, tabs, carriage returns, control characters; UTF-8 as it is', async ({ onTestFinished }) => {
    const { server, deliver } = await startServer(awk, onTestFinished)
    const text = '[Message from agent2]: say "hi" \\ C:\\path\\n\nline 2\twith tab\r\nbell \u0007 esc \u001b — ünïcødé ✓ 🎉 </script> \'single\''
    await deliver('1-1.msg', text)
    expect(textOf(await server.call(1, 'tools/call', waitCall(0)))).toBe(text)
  })

  it('answers what it does not serve with JSON-RPC errors, and keeps serving', async ({ onTestFinished }) => {
    const { server } = await startServer(awk, onTestFinished)
    expect(await server.call('abc', 'resources/list')).toEqual({ jsonrpc: '2.0', id: 'abc', error: { code: -32601, message: 'Method not found' } })
    expect((await server.call(2, 'tools/call', { name: 'other_tool', arguments: {} })).error?.code).toBe(-32602)
    server.send({ jsonrpc: '2.0', method: 'notifications/unknown' })
    server.send('this is not json')
    expect(await server.next()).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } })
    server.send({ jsonrpc: '2.0', id: 9, result: {} })
    expect((await server.call(3, 'tools/list')).result.tools[0].name).toBe('wait_for_message')
    expect(await server.end()).toEqual([])
  })
})

describe('check_messages, over the same mailbox', () => {
  it('prints and files the messages, and says when there are none', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cb-check-messages-'))
    const mail = join(dir, 'mail')
    await Promise.all(['inbox', 'read'].map((d) => mkdir(join(mail, d), { recursive: true })))
    const deliver = (name: string, text: string) => writeFile(join(mail, 'inbox', name), text)
    const script = join(dir, 'check_messages')
    const text = teammateCommandScripts(['agent2']).check_messages!.replaceAll('/tmp/.cooperbench-cli/mail', mail)
    await writeFile(script, text, { mode: 0o755 })
    const run = () => spawnSync('sh', [script], { encoding: 'utf8' }).stdout
    expect(run()).toBe('No new messages.\n')
    await deliver('1-1.msg', '[Message from agent2]: hello')
    expect(run()).toBe('[Message from agent2]: hello\n')
    expect(await readFile(join(mail, 'read', '1-1.msg'), 'utf8')).toBe('[Message from agent2]: hello')
    expect(run()).toBe('No new messages.\n')
    await rm(dir, { recursive: true, force: true })
  })
})
