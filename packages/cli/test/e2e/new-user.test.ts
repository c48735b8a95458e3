import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ExitCode } from '@cooperbench/core'
import { describe, expect, it } from 'vitest'
import { DEMO_DATASET, describeResult, makeWorkdir, pairDirs, requireLocalBackend, runCli, runCliInProcess } from './helpers.js'

/**
 * What a new user runs into, each answered in one line with the right exit code: bad flag
 * values, log folders that cannot be written, an unreachable model server, a damaged eval.json.
 * Refusals before any pair, the command's wording and exit code, run in the test's own process;
 * a real CLI process refuses /proc, runs the pair and evaluates it.
 */
const PAIR = ['--dataset-dir', DEMO_DATASET, '-r', 'textkit_task', '-t', '7', '-f', '1,2', '-a', 'oracle']

// Bad flag values (-c 0, -c abc, -t abc) are unit/command-refusals.test.ts's, in process; the flag
// parser's refusal in a real process is errors.test.ts's (-c beyond a safe integer).
describe('a new user’s mistakes get a one-line answer', () => {
  it('a log folder that cannot be created: one line naming the path and the reason, exit 7, at once (also under /proc)', async () => {
    const w = await makeWorkdir('logdir')
    await writeFile(join(w.cwd, 'a-file'), 'not a folder\n')
    const underFile = await runCliInProcess(['run', ...PAIR, '--log-dir', join(w.cwd, 'a-file', 'logs'), '-n', 'x'], w.options())
    expect(underFile.code, describeResult(underFile)).toBe(ExitCode.filesystem)
    expect(underFile.stderr).toContain(`error: cannot create the folder ${join(w.cwd, 'a-file', 'logs')}`)
    expect(underFile.stderr).toContain('a part of the path is a file, not a folder')
    expect(underFile.stderr).not.toContain('bug')
    const proc = await runCli(['run', ...PAIR, '--log-dir', '/proc/cooperbench-x', '-n', 'x'], w.options({ timeoutMs: 30_000 }))
    expect(proc.code, describeResult(proc)).toBe(ExitCode.filesystem)
    expect(proc.stderr).toContain('cannot create the folder /proc/cooperbench-x')
  })

  it('an unreachable --model-base-url fails the run once, before any pair, exit 4', async () => {
    const w = await makeWorkdir('unreachable')
    const r = await runCliInProcess(
      ['run', ...PAIR.slice(0, -2), '-a', 'mini_swe_agent', '-m', 'openai/x', '--model-base-url', 'http://127.0.0.1:1/v1', '-n', 'x'],
      w.options({ env: { OPENAI_API_KEY: 'sk-test-000' } }),
    )
    expect(r.code, describeResult(r)).toBe(ExitCode.backend)
    expect(r.stderr).toMatch(/error: the model server at http:\/\/127\.0\.0\.1:1\/v1 does not answer \(\w+/)
    expect(await pairDirs(w.logs, 'x', 'coop')).toEqual([])
  })

  it('a damaged eval.json is named when it is evaluated again', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('corrupt')
    const first = await runCli(['run', ...PAIR, '-n', 'c'], w.options())
    expect(first.code, describeResult(first)).toBe(0)
    const [pair] = await pairDirs(w.logs, 'c', 'coop')
    await writeFile(join(pair!, 'eval.json'), '{"repo": "textkit_ta')
    const again = await runCli(['eval', '-n', 'c', '--dataset-dir', DEMO_DATASET], w.options())
    expect(again.code, describeResult(again)).toBe(0)
    expect(again.stderr).toContain(`${join(pair!, 'eval.json')} is not valid JSON (truncated or corrupt): that pair is evaluated again`)
  })
})
