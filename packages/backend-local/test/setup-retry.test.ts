import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isCooperbenchError, type Logger } from '@cooperbench/spec'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { LocalBackend } from '../src/local-backend.js'
import { SETUP_ATTEMPTS } from '../src/local-sandbox.js'
import { bwrapPath, bwrapSkipReason, makeTaskFixture, specFor, type TaskFixture } from './fixture.js'

/**
 * bwrap that fails, for real, to set up the next `failures` command sandboxes (a bind mount of a
 * source that is not there: bwrap's own "Can't find source path" and exit 1), then runs as usual.
 * The network-namespace holder (no `--args`) is never failed. bwrap gets an empty environment,
 * so the counter's path is written into the script.
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
      `    exec '${real}' --ro-bind /nonexistent-cooperbench-source /mnt true`,
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
    failed: () => Number(readFileSync(failedCount, 'utf8').trim() || 0),
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
      /a command did not start \(bwrap: Can't find source path \/nonexistent-cooperbench-source: No such file or directory\); starting it again/,
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
      new RegExp(`: a command did not start, ${SETUP_ATTEMPTS} times: bwrap: Can't find source path /nonexistent-cooperbench-source`),
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
    expect((error as Error).message).toMatch(/did not start, \d+ times: bwrap: Can't find source path/)
  })

  it('a command’s own failure is its result: an exit 1 with a bwrap-like line, a program that is not there', async () => {
    const sandbox = await newBackend().createSandbox(specFor(fixture.task))
    const before = bwrap.failed()
    const own = await sandbox.exec(['sh', '-c', 'echo "bwrap: not really" >&2; exit 1'])
    expect(own).toMatchObject({ exitCode: 1, stdout: '', stderr: 'bwrap: not really\n' })
    const missing = await sandbox.exec(['no-such-program-cooperbench'])
    expect(missing.exitCode).toBe(1)
    expect(missing.stderr).toMatch(/^bwrap: execvp no-such-program-cooperbench: No such file or directory/)
    expect(bwrap.failed()).toBe(before)
    expect(warnings).toEqual([])
  })
})
