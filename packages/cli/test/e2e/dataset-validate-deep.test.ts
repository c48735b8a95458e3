import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ExitCode } from '@cooperbench/core'
import { describe, expect, it } from 'vitest'
import { copyDemoDataset, describeResult, makeWorkdir, requireLocalBackend, runCli, runCliInProcess, tempDir } from './helpers.js'

/**
 * `dataset validate --deep` proves every feature's gold patch against its own tests, so a gold
 * patch that applies but is wrong is the dataset's error before a run, not a failed verdict in one.
 * The first check runs in a real CLI process; the others, what the command finds and says, in the
 * test's own process (its sandboxes are the same either way).
 */
async function task7Dataset(name: string): Promise<{ dataset: string; task: string }> {
  const dataset = await copyDemoDataset(await tempDir(name), ['textkit_task'])
  // One task of four features is enough: pairs 1+2 and 3+4.
  await rm(join(dataset, 'textkit_task', 'task12'), { recursive: true, force: true })
  return { dataset, task: join(dataset, 'textkit_task', 'task7') }
}

describe('dataset validate --deep', () => {
  it('passes the demo task: every gold patch passes its own tests', async (ctx) => {
    requireLocalBackend(ctx)
    const { dataset } = await task7Dataset('deep-ok')
    const w = await makeWorkdir('deep-ok')
    const r = await runCli(['dataset', 'validate', '--deep', '--backend', 'local', '--dataset-dir', dataset, '--json'], w.options({ timeoutMs: 240_000 }))
    expect(r.code, describeResult(r)).toBe(0)
    const result = JSON.parse(r.stdout)
    expect(result.errors).toBe(0)
    expect(result.deep.features.map((f: { feature: number; passed: boolean }) => [f.feature, f.passed])).toEqual([
      [1, true],
      [2, true],
      [3, true],
      [4, true],
    ])
  }, 300_000)

  it('names the feature whose gold patch applies but fails its tests, with the failing lines, and exits with the dataset code', async (ctx) => {
    requireLocalBackend(ctx)
    const { dataset, task } = await task7Dataset('deep-broken')
    const path = join(task, 'feature1', 'feature.patch')
    const patch = await readFile(path, 'utf8')
    expect(patch).toContain('+        if len(candidate) > max_length:')
    // Still applies, but slugs run one character over the limit.
    await writeFile(path, patch.replace('+        if len(candidate) > max_length:', '+        if len(candidate) > max_length + 1:'))
    const w = await makeWorkdir('deep-broken')
    const r = await runCliInProcess(['dataset', 'validate', '--deep', '--backend', 'local', '--dataset-dir', dataset], w.options())
    expect(r.code, describeResult(r)).toBe(ExitCode.dataset)
    expect(r.stdout).toMatch(/error: .*task7\/feature1\/feature\.patch: feature 1: its gold patch does not pass its own tests \(\d+ passed, [1-9]\d* failed/)
    expect(r.stdout).toMatch(/FAIL|failed/)
    expect(r.stdout).not.toMatch(/feature[234]\/feature\.patch/)
    expect(r.stdout).toMatch(/gold tests: 3\/4 features pass on their gold patch/)
    // Off a terminal, plain progress lines on stderr.
    expect(r.stderr).toMatch(/\[\d\/4\] textkit_task\/task7 feature1 FAILED/)
  }, 300_000)

  it('-s checks only the tasks of a subset: another task whose gold patch fails its tests is not run', async (ctx) => {
    requireLocalBackend(ctx)
    const dataset = await copyDemoDataset(await tempDir('deep-subset'), ['textkit_task'])
    // task12's gold patch still applies but fails its tests: a deep check of the whole dataset fails on it.
    const path = join(dataset, 'textkit_task', 'task12', 'feature1', 'feature.patch')
    const patch = await readFile(path, 'utf8')
    expect(patch).toContain('+_TRAILING_PUNCTUATION = ".,;:!?-"')
    await writeFile(path, patch.replace('+_TRAILING_PUNCTUATION = ".,;:!?-"', '+_TRAILING_PUNCTUATION = 1 / 0'))
    await mkdir(join(dataset, 'subsets'), { recursive: true })
    await writeFile(join(dataset, 'subsets', 'only7.json'), JSON.stringify({ name: 'only7', tasks: [{ repo: 'textkit_task', task_id: 7, pairs: [[1, 2]] }] }))
    const w = await makeWorkdir('deep-subset')
    const r = await runCliInProcess(['dataset', 'validate', '--deep', '-s', 'only7', '--backend', 'local', '--dataset-dir', dataset, '--json'], w.options())
    expect(r.code, describeResult(r)).toBe(0)
    const result = JSON.parse(r.stdout) as { tasks: number; errors: number; deep: { features: Array<{ taskId: number; feature: number; passed: boolean }> } }
    expect(result.tasks).toBe(1)
    expect(result.deep.features.map((f) => [f.taskId, f.feature, f.passed])).toEqual([
      [7, 1, true],
      [7, 2, true],
      [7, 3, true],
      [7, 4, true],
    ])
  }, 300_000)
})
