/**
 * The relay of a seat's command tools: the POSIX sh commands the harness installs (`toolScript`) drop their arguments in a spool
 * and wait; `ToolServer` takes each request, runs the tool on the host and files its answer. Both spools: through the sandbox's
 * `exec` (here a sandbox whose commands run in this machine's sh) and a host folder the sandbox mounts. The commands themselves
 * run in this machine's sh with the spool in a temp folder, so no sandbox is needed; the same in a real sandbox without Python
 * is packages/cli/test/api/seat-tool-relay.test.ts.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CommandTool, ExecOptions, ExecResult, Sandbox } from '@cooperbench/spec'
import { SEAT_COMMAND_DIR } from '@cooperbench/spec'
import { silentLogger } from '@cooperbench/spec-utils'
import { afterAll, describe, expect, it } from 'vitest'
import { withCommandsOnPath } from '../../src/runner/seat-tools/commands-on-path.js'
import { serveTools } from '../../src/runner/seat-tools/serve-tools.js'
import { prepareToolsCommand, toolScript } from '../../src/runner/seat-tools/tool-scripts.js'
import { ToolServer } from '../../src/runner/seat-tools/tool-server.js'
import { hostFolderToolSpool, sandboxToolSpool } from '../../src/runner/seat-tools/tool-spool.js'

const folders: string[] = []
afterAll(() => Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true }))))
async function tempFolder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'seat-tools-'))
  folders.push(dir)
  return dir
}

/** A sandbox whose commands run in this machine's sh (with their stdin): what the in-sandbox spool runs is itself checked. */
function hostShellSandbox(id = 'seat-sandbox'): Sandbox & { execs: number } {
  const sandbox = {
    id,
    execs: 0,
    exec: (command: string | string[], options?: ExecOptions) => {
      sandbox.execs++
      const argv = typeof command === 'string' ? ['sh', '-c', command] : command
      return new Promise<ExecResult>((resolve, reject) => {
        const child = spawn(argv[0]!, argv.slice(1))
        let stdout = ''
        let stderr = ''
        child.stdout.on('data', (chunk) => (stdout += chunk))
        child.stderr.on('data', (chunk) => (stderr += chunk))
        child.on('error', reject)
        // A command that exits without reading its stdin (as a real sandbox's may) closes the pipe.
        child.stdin.on('error', () => {})
        child.on('close', (code) => resolve({ exitCode: code ?? -1, stdout, stderr, timedOut: false, truncated: false, durationMs: 0 }))
        child.stdin.end(options?.stdin ?? '')
      })
    },
    writeFile: () => Promise.reject(new Error('not used')),
    readFile: () => Promise.reject(new Error('not used')),
    terminate: async () => {},
  }
  return sandbox
}

function tool(name: string, run: CommandTool['run'], more: Partial<CommandTool> = {}): CommandTool {
  return { kind: 'command', name, description: `${name}: a test tool`, run, ...more }
}

/** Controls when the `slow` tool answers, and sees the signal of its call. */
let release: () => void = () => {}
let slowSignal: AbortSignal | null = null
/** How many calls of `echo-args` the host ran. */
let echoCalls = 0

const TOOLS = [
  tool(
    'echo-args',
    async (argv, call) => {
      echoCalls++
      return { exitCode: 0, output: `${JSON.stringify({ argv, stdin: call.stdin ?? null, sandbox: call.sandbox.id })}\n` }
    },
    { stdinAfter: 1 },
  ),
  tool('refuse', async (argv) => ({ exitCode: 3, output: `refused ${argv.join(' ')}\n` })),
  tool('boom', async () => {
    throw new Error('exploded')
  }),
  tool(
    'slow',
    async (_argv, call) => {
      slowSignal = call.signal
      await new Promise<void>((resolve) => {
        release = resolve
        call.signal.addEventListener('abort', () => resolve(), { once: true })
      })
      return { exitCode: 0, output: call.signal.aborted ? 'aborted\n' : 'done\n' }
    },
    { waitOption: '--wait' },
  ),
]

/** The spool in `dir` with the commands of `TOOLS` (and `ghost`, which no server knows) in its `bin/`. */
async function installScripts(dir: string): Promise<void> {
  const all = [...TOOLS, tool('ghost', async () => ({ exitCode: 0, output: '' }))]
  await mkdir(join(dir, 'bin'), { recursive: true })
  for (const t of all) await writeFile(join(dir, 'bin', t.name), toolScript(dir, t))
  const prepared = spawnSync(
    'sh',
    [
      '-c',
      prepareToolsCommand(
        dir,
        all.map((t) => t.name),
      ),
    ],
    { encoding: 'utf8' },
  )
  expect(prepared.status, prepared.stderr).toBe(0)
}

/** Runs one of the commands in this machine's sh, as the agent would in its sandbox. */
function command(dir: string, line: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', line], { env: { ...process.env, PATH: `${dir}/bin:${process.env.PATH}`, ...env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })
}

const SPOOLS = [
  { name: 'through the sandbox', cheap: false, spool: (dir: string, sandbox: Sandbox) => sandboxToolSpool(sandbox, dir) },
  { name: 'in a host folder the sandbox mounts', cheap: true, spool: (dir: string) => hostFolderToolSpool(dir) },
]

describe.each(SPOOLS)('command tools relayed $name', ({ spool, cheap }) => {
  async function served() {
    const dir = await tempFolder()
    await installScripts(dir)
    const sandbox = hostShellSandbox()
    const stopped = new AbortController()
    const server = new ToolServer({
      sandbox,
      tools: new Map(TOOLS.map((t) => [t.name, t])),
      spool: spool(dir, sandbox),
      pollMs: 20,
      maxPollMs: 50,
      signal: stopped.signal,
    })
    return { dir, sandbox, server: server.start(), run: (line: string, env?: Record<string, string>) => command(dir, line, env) }
  }

  it('passes every argument as the agent wrote it, runs the tool on the host with the seat’s sandbox, and prints its output', async () => {
    const { run, server } = await served()
    try {
      const done = await run(`echo-args 'a b' '"quoted"' '$HOME' 'two
lines' 'café —' '' -x`)
      expect(done.code, done.stderr).toBe(0)
      expect(JSON.parse(done.stdout)).toEqual({ argv: ['a b', '"quoted"', '$HOME', 'two\nlines', 'café —', '', '-x'], stdin: null, sandbox: 'seat-sandbox' })
      expect(done.stderr).toBe('')
    } finally {
      await server.stop()
    }
  })

  it('reads the last argument from stdin when it was left out (stdinAfter), exactly; never for --help or when it was given', async () => {
    const { run, server } = await served()
    try {
      const [piped, given, help, empty] = await Promise.all([
        run(`printf 'line one\\nline two\\n' | echo-args only`),
        run('echo ignored | echo-args only given'),
        run('echo ignored | echo-args --help only'),
        run('echo-args -- only </dev/null'),
      ])
      expect(JSON.parse(piped.stdout)).toMatchObject({ argv: ['only'], stdin: 'line one\nline two\n' })
      expect(JSON.parse(given.stdout)).toMatchObject({ argv: ['only', 'given'], stdin: null })
      expect(JSON.parse(help.stdout)).toMatchObject({ argv: ['--help', 'only'], stdin: null })
      expect(JSON.parse(empty.stdout)).toMatchObject({ argv: ['--', 'only'], stdin: '' })
    } finally {
      await server.stop()
    }
  })

  it('gives the exit code, the output on stderr when it is not 0; a tool that throws exits 1 with the cause; an unknown tool 127', async () => {
    const { run, server } = await served()
    try {
      expect(await Promise.all([run('refuse this one'), run('boom'), run('ghost')])).toEqual([
        { code: 3, stdout: '', stderr: 'refused this one\n' },
        { code: 1, stdout: '', stderr: 'boom: exploded\n' },
        { code: 127, stdout: '', stderr: 'ghost: no such tool in this seat\n' },
      ])
    } finally {
      await server.stop()
    }
  })

  it.runIf(cheap)('answers each request on its own: a tool that waits holds up none of the commands after it', async () => {
    const { run, server } = await served()
    try {
      const slow = run('slow --wait 30')
      while (slowSignal === null) await new Promise((resolve) => setTimeout(resolve, 10))
      const quick = await Promise.all(Array.from({ length: 6 }, (_, i) => run(`echo-args ${i} x`)))
      expect(quick.map((done) => JSON.parse(done.stdout).argv[0])).toEqual(['0', '1', '2', '3', '4', '5'])
      release()
      expect(await slow).toEqual({ code: 0, stdout: 'done\n', stderr: '' })
    } finally {
      slowSignal = null
      await server.stop()
    }
  })

  it.runIf(cheap)('waits longer for a tool by the seconds of its wait option; without them, gives up saying it may have been done', async () => {
    const { run, server } = await served()
    try {
      // One second to answer, as COOPERBENCH_TOOL_TIMEOUT says: the tool answers after 1.5 s.
      const waited = run('slow --wait=5', { COOPERBENCH_TOOL_TIMEOUT: '1' })
      while (slowSignal === null) await new Promise((resolve) => setTimeout(resolve, 10))
      await new Promise((resolve) => setTimeout(resolve, 1500))
      release()
      expect(await waited).toEqual({ code: 0, stdout: 'done\n', stderr: '' })
      slowSignal = null
      const gaveUp = await run('slow', { COOPERBENCH_TOOL_TIMEOUT: '1' })
      expect(gaveUp).toEqual({ code: 1, stdout: '', stderr: 'slow: the harness took the request but did not answer in time; it may have been done\n' })
      release()
    } finally {
      slowSignal = null
      await server.stop()
    }
  })

  it.runIf(cheap)('stop ends the calls still waiting (their signal aborts) and still answers them and a command issued just before', async () => {
    const { dir, run, server } = await served()
    const slow = run('slow')
    while (slowSignal === null) await new Promise((resolve) => setTimeout(resolve, 10))
    const before = echoCalls
    const last = run('echo-args last x')
    // Its request is filed (not only being written), or already taken: stop comes just after the command.
    const filed = async () => (await readdir(join(dir, 'req'))).some((name) => name.endsWith('.req')) || echoCalls > before
    while (!(await filed())) await new Promise((resolve) => setTimeout(resolve, 5))
    await server.stop()
    expect(slowSignal!.aborted).toBe(true)
    slowSignal = null
    expect(await slow).toEqual({ code: 0, stdout: 'aborted\n', stderr: '' })
    expect(JSON.parse((await last).stdout).argv).toEqual(['last', 'x'])
  })

  it.runIf(cheap)('a folder spool costs no command in the sandbox', async () => {
    const { run, server, sandbox } = await served()
    await run('echo-args a b')
    await server.stop()
    expect(sandbox.execs).toBe(0)
  })
})

describe('a command nobody answers', () => {
  it('gives up with exit 1 and leaves no request behind: nothing was done', async () => {
    const dir = await tempFolder()
    await installScripts(dir)
    const done = await command(dir, 'echo-args a b', { COOPERBENCH_TOOL_TIMEOUT: '1' })
    expect(done).toEqual({ code: 1, stdout: '', stderr: 'echo-args: no answer from the harness; nothing was done\n' })
    expect(await readdir(join(dir, 'req'))).toEqual([])
  })
})

describe('serveTools', () => {
  const options = { agentId: 'agent1', logger: silentLogger, signal: new AbortController().signal, linkCommands: false }

  it('in a spool mounted from this machine: installs the commands here, executable by every user, with no command in the sandbox', async () => {
    const spool = await tempFolder()
    const sandbox = hostShellSandbox()
    const served = await serveTools(sandbox, TOOLS, { ...options, env: {}, hostSpoolDir: spool })
    expect(sandbox.execs).toBe(0)
    expect((await readdir(join(spool, 'bin'))).sort()).toEqual(TOOLS.map((t) => t.name).sort())
    expect((await stat(join(spool, 'bin', 'echo-args'))).mode & 0o777).toBe(0o755)
    expect((await stat(join(spool, 'req'))).mode & 0o777).toBe(0o777)
    await served.stop()
    expect(sandbox.execs).toBe(0)
  })

  it("puts the commands first on PATH of what the agent runs, with the seat's variables (its own win); without tools, only the variables", async () => {
    const seen: Array<{ command: string | string[]; env: Record<string, string> | undefined }> = []
    const sandbox = {
      ...hostShellSandbox(),
      exec: async (command: string | string[], o?: ExecOptions) => (
        seen.push({ command, env: o?.env }), { exitCode: 0, stdout: '', stderr: '', timedOut: false, truncated: false, durationMs: 0 }
      ),
    }
    const onPath = withCommandsOnPath(sandbox, SEAT_COMMAND_DIR, { CB_TEAM_ROLE: 'lead', OTHER: 'seat' })
    await onPath.exec('coop-task-list', { env: { OTHER: 'own' } })
    await onPath.exec(['coop-task-list', '--mine'])
    expect(seen).toEqual([
      { command: `PATH="${SEAT_COMMAND_DIR}:$PATH"; export PATH\ncoop-task-list`, env: { CB_TEAM_ROLE: 'lead', OTHER: 'own' } },
      {
        command: ['sh', '-c', `PATH="${SEAT_COMMAND_DIR}:$PATH"; export PATH; exec "$@"`, 'sh', 'coop-task-list', '--mine'],
        env: { CB_TEAM_ROLE: 'lead', OTHER: 'seat' },
      },
    ])
    seen.length = 0
    const none = await serveTools(sandbox, [], { ...options, env: { CB_TEAM_ROLE: 'member' }, hostSpoolDir: null })
    await none.agentSandbox.exec('true')
    expect(seen).toEqual([{ command: 'true', env: { CB_TEAM_ROLE: 'member' } }])
  })

  it('an argv run through the PATH wrapper really finds a command of the folder first', async () => {
    const bin = await tempFolder()
    await writeFile(join(bin, 'whoami'), '#!/bin/sh\necho "the seat\'s $1"\n', { mode: 0o755 })
    const done = await withCommandsOnPath(hostShellSandbox(), bin).exec(['whoami', 'command'])
    expect(done.stdout).toBe("the seat's command\n")
  })
})
