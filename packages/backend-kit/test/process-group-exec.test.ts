import { execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { EXEC_MARKER_VARIABLE, processGroupExecArgv, processGroupKillArgv } from '../src/index.js'

const run = promisify(execFile)

/** Runs argv on this machine; resolves with its exit code and output whatever the code. */
function outcome(argv: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr }))
    // A command that fails at once (a missing program) closes its stdin before this write lands.
    child.stdin.on('error', () => {})
    child.stdin.end(input ?? '')
  })
}

/**
 * Polls `done` until it holds or `limitMs` passes: a hang guard, not a speed bound (a loaded
 * machine starts and reaps processes seconds late).
 */
async function until(done: () => Promise<boolean>, limitMs = 30_000): Promise<void> {
  for (const started = Date.now(); !(await done()) && Date.now() - started < limitMs; ) await sleep(100)
}

/** The `sleep <marker>…` processes running on this machine. */
async function processesWith(marker: string): Promise<string[]> {
  const { stdout } = await run('ps', ['-eo', 'args='])
  return stdout.split('\n').filter((line) => line.startsWith(`sleep ${marker}`))
}

describe("the exec wrapper (run by this machine's sh)", () => {
  it('enters the directory, passes argv untouched, standard input through, and returns the exit status', async () => {
    const argv = processGroupExecArgv('w1', undefined, ['sh', '-c', 'pwd; printf "%s|" "$@"; cat; exit 7', 'arg0', 'a b', '$HOME', ''], '/tmp')
    expect(await outcome(argv, 'input')).toEqual({ code: 7, stdout: '/tmp\na b|$HOME||input', stderr: '' })
  })

  it('fails like a shell for a missing directory or program', async () => {
    expect((await outcome(processGroupExecArgv('w2', undefined, ['true'], '/nonexistent-dir'))).code).toBe(1)
    expect((await outcome(processGroupExecArgv('w3', undefined, ['cooperbench-no-such-program'], '/tmp'))).code).toBe(127)
  })

  it('marks the command with the exec id', async () => {
    const { stdout } = await outcome(processGroupExecArgv('w4', undefined, ['sh', '-c', `echo "$${EXEC_MARKER_VARIABLE}"`]))
    expect(stdout).toBe('w4\n')
  })

  it("stops the command at its limit with timeout's exit code", async () => {
    const started = Date.now()
    expect((await outcome(processGroupExecArgv('w5', 1000, ['sleep', '300']))).code).toBe(124)
    // Well under the 300 s the command would take unstopped, whatever the machine's load.
    expect(Date.now() - started).toBeLessThan(150_000)
  }, 200_000)
})

describe('the kill script', () => {
  it('kills the command, its background children, a child that left for a session of its own and one that also cleared its environment', async () => {
    const id = randomBytes(6).toString('hex')
    const marker = `${Math.floor(1000 + Math.random() * 8000)}.${Math.floor(Math.random() * 1000)}`
    // The fourth carries no marker and leaves the group: only the tree links it to the command.
    const script = `sleep ${marker}1 & setsid sh -c 'sleep ${marker}2' & setsid env -i sleep ${marker}4 & sleep ${marker}3; echo never`
    const command = outcome(processGroupExecArgv(id, undefined, ['sh', '-c', script]))
    await until(async () => (await processesWith(marker)).length === 4)
    expect(await processesWith(marker)).toHaveLength(4)

    const kill = await outcome(processGroupKillArgv(id))
    expect(kill.code).toBe(0)
    const ended = await command
    expect(ended.stdout).not.toContain('never')
    expect(ended.code).toBe(137)
    await until(async () => (await processesWith(marker)).length === 0)
    expect(await processesWith(marker)).toEqual([])
  }, 120_000)
})
