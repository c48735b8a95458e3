import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isCooperbenchError, type Logger } from '@cooperbench/spec'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { LocalBackend } from '../src/local-backend.js'
import { SETUP_ATTEMPTS } from '../src/local-sandbox.js'
import { bwrapPath, bwrapSkipReason, childPids, makeTaskFixture, specFor, type TaskFixture } from './fixture.js'

/**
 * bwrap that fails, for real, to set up the next `failures` command sandboxes: the command's own
 * options (`--args 3`, its status fd included) plus a bind mount of a source that is not there,
 * so bwrap reports the child's pid but no exit code, prints "Can't find source path" and exits 1.
 * Then it runs as usual. The network-namespace holder (no `--args`) is never failed. bwrap gets
 * an empty environment, so the counter's path is written into the script.
 */
async function flakyBwrap(dir: string, real: string): Promise<{ path: string; failNext(failures: number): Promise<void>; failed(): number }> {
  const budget = join(dir, 'budget')
  const failedCount = join(dir, 'failed')
  const path = join(dir, 'bwrap')
  await writeFile(
    path,
    [
      '#!/bin/sh',
      'if [ "$1" = --args ]; then',
      `  left=$(cat '${budget}' 2>/dev/null || echo 0)`,
      '  if [ "$left" -gt 0 ]; then',
      `    echo $((left - 1)) > '${budget}'`,
      `    echo $(( $(cat '${failedCount}' 2>/dev/null || echo 0) + 1 )) > '${failedCount}'`,
      '    shift 2',
      `    exec '${real}' --args 3 --ro-bind /nonexistent-cooperbench-source /mnt "$@"`,
      '  fi',
      'fi',
      `exec '${real}' "$@"`,
      '',
    ].join('\n'),
    { mode: 0o755 },
  )
  return {
    path,
    failNext: (failures) => writeFile(budget, String(failures)),
    failed: () => (existsSync(failedCount) ? Number(readFileSync(failedCount, 'utf8').trim()) : 0),
  }
}

describe.skipIf(!bwrapPath)(`a command whose sandbox bwrap fails to set up (${bwrapPath ? 'bwrap found' : bwrapSkipReason})`, () => {
  let fixture: TaskFixture
  let dir: string
  let bwrap: Awaited<ReturnType<typeof flakyBwrap>>
  const warnings: string[] = []
  const logger: Logger = { debug: () => {}, info: () => {}, warn: (message) => warnings.push(message), error: () => {} }
  const backends: LocalBackend[] = []
  const newBackend = () => {
    const backend = new LocalBackend({ root: join(dir, `root-${backends.length}`), bwrapPath: bwrap.path, logger })
    backends.push(backend)
    return backend
  }

  beforeAll(async () => {
    fixture = await makeTaskFixture()
    dir = await mkdtemp(join(tmpdir(), 'cb-local-setup-retry-'))
    bwrap = await flakyBwrap(dir, bwrapPath!)
  })

  afterAll(async () => {
    await Promise.all(backends.map((backend) => backend.close()))
    await fixture?.cleanup()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  beforeEach(() => {
    warnings.length = 0
  })

  it('is started again: a sandbox whose first commands failed in bwrap starts, and its commands run once', async () => {
    await bwrap.failNext(SETUP_ATTEMPTS - 1)
    const sandbox = await newBackend().createSandbox(specFor(fixture.task))
    expect(bwrap.failed()).toBe(SETUP_ATTEMPTS - 1)
    expect(warnings).toHaveLength(SETUP_ATTEMPTS - 1)
    expect(warnings[0]).toMatch(
      /bwrap could not set up a command's sandbox \(bwrap: Can't find source path \/nonexistent-cooperbench-source: No such file or directory \(exit 1\)\); starting it again/,
    )

    await bwrap.failNext(1)
    // Appends: had it run twice, the file would hold two lines.
    const result = await sandbox.exec('echo ran >> /tmp/runs && cat /tmp/runs')
    expect(result).toMatchObject({ exitCode: 0, stdout: 'ran\n' })
  })

  it('is an error after the last attempt, never the command’s exit 1: a test run records an error, not failed tests', async () => {
    const sandbox = await newBackend().createSandbox(specFor(fixture.task))
    await bwrap.failNext(SETUP_ATTEMPTS)
    const error = await sandbox.exec(['bash', '/usr/local/bin/runner.sh']).then(
      () => null,
      (thrown: unknown) => thrown,
    )
    expect(isCooperbenchError(error) && error.code).toBe('SANDBOX_FAILED')
    expect((error as Error).message).toMatch(
      new RegExp(
        `: bwrap could not set up a command's sandbox \\(tried ${SETUP_ATTEMPTS} times\\): bwrap: Can't find source path /nonexistent-cooperbench-source`,
      ),
    )
  })

  it('a sandbox that cannot start at all says why in the message that eval.json and result.json record', async () => {
    await bwrap.failNext(1000)
    const error = await newBackend()
      .createSandbox(specFor(fixture.task))
      .then(
        () => null,
        (thrown: unknown) => thrown,
      )
    await bwrap.failNext(0)
    expect(isCooperbenchError(error) && error.code).toBe('SANDBOX_FAILED')
    expect((error as Error).message).toMatch(/could not set up a command's sandbox \(tried \d+ times\): bwrap: Can't find source path/)
  })

  it('a command’s own failure is its result: an exit 1 with a bwrap-like line, a program that is not there, a missing working directory', async () => {
    const sandbox = await newBackend().createSandbox(specFor(fixture.task))
    const before = bwrap.failed()
    const own = await sandbox.exec(['sh', '-c', 'echo "bwrap: not really" >&2; exit 1'])
    expect(own).toMatchObject({ exitCode: 1, stdout: '', stderr: 'bwrap: not really\n' })
    const missing = await sandbox.exec(['no-such-program-cooperbench'])
    expect(missing.exitCode).toBe(1)
    expect(missing.stderr).toMatch(/^bwrap: execvp no-such-program-cooperbench: No such file or directory/)
    // As on the container backends: exit 1 and the folder named on stderr.
    const nowhere = await sandbox.exec('pwd', { cwd: '/nonexistent' })
    expect(nowhere.exitCode).toBe(1)
    expect(nowhere.stderr).toMatch(/^bwrap: Can't chdir to \/nonexistent/)
    expect(bwrap.failed()).toBe(before)
    expect(warnings).toEqual([])
  })

  it('a bwrap killed under a running command is an error at once: the command is not run again, nor its end taken as its result', async () => {
    const sandbox = await newBackend().createSandbox(specFor(fixture.task))
    const running = sandbox.exec('echo ran >> /tmp/lost-runs; sleep 30').then(
      () => null,
      (thrown: unknown) => thrown,
    )
    // bwrap's monitor: a child of this process (nsenter exec's it) whose options come on fd 3.
    let monitor: number | undefined
    for (let i = 0; i < 100 && monitor === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      monitor = bwrapChildren().find((pid) => existsSync(`/proc/${pid}`))
      if (monitor !== undefined && (await sandbox.readFile('/tmp/lost-runs').catch(() => null)) === null) monitor = undefined
    }
    expect(monitor).toBeDefined()
    process.kill(monitor!, 'SIGKILL')
    const error = await running
    expect(isCooperbenchError(error) && error.code).toBe('SANDBOX_FAILED')
    expect((error as Error).message).toMatch(/bwrap ended without the command's exit status: exit 137/)
    expect(Buffer.from(await sandbox.readFile('/tmp/lost-runs')).toString()).toBe('ran\n')
    expect(warnings).toEqual([])
  })
})

/** This process's children running bwrap with a command's options on fd 3 (not the namespace holders). */
const bwrapChildren = () => childPids((argv) => argv[0]!.endsWith('bwrap') && argv[1] === '--args')
