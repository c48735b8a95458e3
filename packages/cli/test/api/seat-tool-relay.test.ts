/**
 * A seat's command tools in a real sandbox (the local backend): core installs them (`serveTools`) and answers them on the host,
 * and the commands work with nothing but a POSIX sh and coreutils on PATH (no Python, no bash, no network client), through the
 * sandbox's `exec` or a spool folder the sandbox mounts from here. The relay's rules one by one, without a sandbox, are in
 * packages/core/test/runner/seat-tools.test.ts; a setting's tool through `run()` is in seats.test.ts.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LocalBackend } from '@cooperbench/backend-local'
import { type CommandTool, type Sandbox, SEAT_COMMAND_DIR } from '@cooperbench/core'
import { serveTools, TOOL_SPOOL_DIR } from '@cooperbench/core/runner'
import { loadDataset } from '@cooperbench/dataset'
import { silentLogger } from '@cooperbench/spec-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_DATASET, requireLocalBackend } from '../e2e/helpers.js'

/** Only what the commands may use. */
const MINIMAL_TOOLS = ['sh', 'date', 'mkdir', 'mv', 'head', 'tail', 'rm', 'sleep', 'cat', 'env']
const MIN_BIN = '/tmp/min-bin'

let root: string
let backend: LocalBackend
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cb-seat-tools-'))
  backend = new LocalBackend({ root })
})
afterAll(async () => {
  await backend?.close()
  await rm(root, { recursive: true, force: true })
})

async function sandboxWithMinimalTools(spec: { sharedDirs?: Array<{ hostPath: string; sandboxPath: string; kind: 'folder' }> } = {}): Promise<Sandbox> {
  const task = (await loadDataset(DEMO_DATASET)).tasks[0]!
  const sandbox = await backend.createSandbox({ task, image: 'local', role: 'solo', labels: {}, ...spec })
  const linked = await sandbox.exec(`mkdir -p ${MIN_BIN} && for t in ${MINIMAL_TOOLS.join(' ')}; do ln -s "$(command -v $t)" ${MIN_BIN}/$t; done`)
  expect(linked.exitCode, linked.stderr).toBe(0)
  return sandbox
}

/** The calls the host answered, in order: which seat's sandbox, the arguments, stdin. */
const calls: Array<{ sandbox: string; argv: readonly string[]; stdin: string | null }> = []
const TOOLS: CommandTool[] = [
  {
    kind: 'command',
    name: 'note-this',
    description: 'Records its arguments (the last from stdin when left out).',
    stdinAfter: 1,
    run: async (argv, call) => {
      calls.push({ sandbox: call.sandbox.id, argv, stdin: call.stdin ?? null })
      if (argv[0] === 'refuse') return { exitCode: 4, output: 'refused\n' }
      return { exitCode: 0, output: `noted ${calls.length}\n` }
    },
  },
]

/** Runs `line` in the sandbox as the agent would, with PATH holding only the seat's commands and the minimal tools. */
const asAgent = (sandbox: Sandbox, line: string) =>
  sandbox.exec(['env', '-i', `PATH=${SEAT_COMMAND_DIR}:${MIN_BIN}`, `${MIN_BIN}/sh`, '-c', line], { timeoutMs: 60_000 })

const options = { agentId: 'agent1', env: { CB_TEAM_ROLE: 'lead' }, logger: silentLogger, signal: new AbortController().signal, linkCommands: false }

describe('command tools in a real sandbox, without Python', () => {
  it('are answered on the host through the sandbox: arguments as written, stdin, exit codes, many at once; unanswered, exit 1', async (context) => {
    requireLocalBackend(context)
    const sandbox = await sandboxWithMinimalTools()
    const served = await serveTools(sandbox, TOOLS, { ...options, hostSpoolDir: null })
    try {
      const probe = await asAgent(served.agentSandbox, 'command -v python3 || command -v python || command -v bash || echo none')
      expect(probe.stdout.trim()).toBe('none')
      // The agent's own sandbox has the commands first on PATH and the seat's variables.
      const onPath = await served.agentSandbox.exec('command -v note-this; echo "$CB_TEAM_ROLE"', { timeoutMs: 60_000 })
      expect(onPath.stdout).toBe(`${SEAT_COMMAND_DIR}/note-this\nlead\n`)

      calls.length = 0
      const noted = await asAgent(served.agentSandbox, `note-this 'a "quoted" $x' 'two\nlines' -- -dash`)
      expect([noted.exitCode, noted.stdout, noted.stderr]).toEqual([0, 'noted 1\n', ''])
      expect(calls[0]).toEqual({ sandbox: sandbox.id, argv: ['a "quoted" $x', 'two\nlines', '--', '-dash'], stdin: null })
      const piped = await asAgent(served.agentSandbox, `printf 'line one\\nline two\\n' | note-this only`)
      expect(piped.exitCode, piped.stderr).toBe(0)
      expect(calls[1]).toMatchObject({ argv: ['only'], stdin: 'line one\nline two\n' })
      const refused = await asAgent(served.agentSandbox, 'note-this refuse x')
      expect([refused.exitCode, refused.stdout, refused.stderr]).toEqual([4, '', 'refused\n'])

      const many = await asAgent(
        served.agentSandbox,
        'for i in 1 2 3 4 5 6 7 8 9 10; do (note-this "$i" x > /tmp/out.$i 2>&1; echo "$?" > /tmp/code.$i) & done; wait; cat /tmp/code.*',
      )
      expect(many.exitCode, many.stderr).toBe(0)
      expect(many.stdout.trim().split('\n')).toEqual(Array(10).fill('0'))
      expect(
        calls
          .slice(3)
          .map((c) => c.argv[0])
          .sort((a, b) => Number(a) - Number(b)),
      ).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'])
    } finally {
      await served.stop()
    }
    const unanswered = await asAgent(
      sandbox,
      `COOPERBENCH_TOOL_TIMEOUT=1 note-this late x; echo "exit=$?"; set -- ${TOOL_SPOOL_DIR}/req/*.req; [ -e "$1" ] || echo none left`,
    )
    expect(unanswered.stdout).toBe('exit=1\nnone left\n')
    expect(unanswered.stderr).toContain('note-this: no answer from the harness; nothing was done')
    await sandbox.terminate()
  }, 180_000)

  it('are answered in a spool folder the sandbox mounts from here, with no command in the sandbox', async (context) => {
    requireLocalBackend(context)
    const hostDir = await mkdtemp(join(tmpdir(), 'cb-host-spool-'))
    try {
      const mounted = await sandboxWithMinimalTools({ sharedDirs: [{ hostPath: hostDir, sandboxPath: TOOL_SPOOL_DIR, kind: 'folder' }] })
      let execs = 0
      const counted: Sandbox = { ...mounted, exec: (...args: Parameters<Sandbox['exec']>) => (execs++, mounted.exec(...args)) }
      const served = await serveTools(counted, TOOLS, { ...options, hostSpoolDir: hostDir })
      expect((await readdir(join(hostDir, 'bin'))).sort()).toEqual(['note-this'])
      try {
        calls.length = 0
        const noted = await asAgent(mounted, `note-this 'host spool: "quoted" $x' y`)
        expect([noted.exitCode, noted.stdout, noted.stderr]).toEqual([0, 'noted 1\n', ''])
        expect(calls).toEqual([{ sandbox: mounted.id, argv: ['host spool: "quoted" $x', 'y'], stdin: null }])
      } finally {
        await served.stop()
      }
      // Neither installing nor answering ran a command in the sandbox: every exchange was in the folder.
      expect(execs).toBe(0)
      await mounted.terminate()
    } finally {
      await rm(hostDir, { recursive: true, force: true })
    }
  }, 180_000)
})
