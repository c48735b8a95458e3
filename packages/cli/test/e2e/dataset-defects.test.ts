import { existsSync } from 'node:fs'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ExitCode } from '@cooperbench/core'
import { describe, expect, it } from 'vitest'
import { copyDemoDataset, describeResult, makeWorkdir, pairDirs, readJson, requireLocalBackend, runCli, runCliInProcess, tempDir } from './helpers.js'

/**
 * Defects of the dataset are the dataset's errors: `dataset validate` finds them before a run,
 * and a run neither scores them as failed verdicts nor blames the agent. A real CLI process runs
 * the first validate, the first refusal and the runs that start sandboxes; the other refusals and
 * findings, the command's wording and exit code, run in the test's own process.
 */
const PAIR = ['-a', 'oracle', '-r', 'textkit_task', '-t', '7', '-f', '1,2', '-n', 'defect']

async function damagedDataset(damage: (task: string) => Promise<void>): Promise<string> {
  const dir = await copyDemoDataset(await tempDir('defect-dataset'), ['textkit_task'])
  await damage(join(dir, 'textkit_task', 'task7'))
  return dir
}

describe('dataset defects are reported as such', () => {
  it('a task without runner.sh: validate names it, and run refuses before any agent starts (exit 3) instead of failing every feature', async (ctx) => {
    const dataset = await damagedDataset((task) => rm(join(task, 'runner.sh')))
    const w = await makeWorkdir('defect-runner')
    const validate = await runCli(['dataset', 'validate', '--dataset-dir', dataset], w.options())
    expect(validate.code, describeResult(validate)).toBe(ExitCode.dataset)
    expect(validate.stdout).toMatch(/error: .*task7\/runner\.sh: is missing/)

    requireLocalBackend(ctx)
    const r = await runCli(['run', ...PAIR, '--dataset-dir', dataset], w.options({ timeoutMs: 120_000 }))
    expect(r.code, describeResult(r)).toBe(ExitCode.dataset)
    expect(r.stderr).toMatch(/error: 1 required dataset file\(s\) missing, e\.g\. .*task7\/runner\.sh/)
    expect(await pairDirs(w.logs, 'defect', 'coop')).toEqual([])
  }, 150_000)

  it('a gold patch that does not apply: validate names it; the oracle run records a dataset failure, no verdict, exit 1', async (ctx) => {
    const dataset = await damagedDataset(async (task) => {
      const path = join(task, 'feature1', 'feature.patch')
      const patch = await readFile(path, 'utf8')
      expect(patch).toContain('-def slugify(text, separator="-"):')
      // A removed line the base does not have: the patch no longer applies.
      await writeFile(path, patch.replace('-def slugify(text, separator="-"):', '-def slugify(words, separator="-"):'))
    })
    const w = await makeWorkdir('defect-gold')
    const validate = await runCliInProcess(['dataset', 'validate', '--dataset-dir', dataset], w.options())
    expect(validate.code, describeResult(validate)).toBe(ExitCode.dataset)
    expect(validate.stdout).toMatch(/error: .*task7\/feature1\/feature\.patch: does not apply to the base commit [0-9a-f]{12} \(error: patch failed/)
    expect(validate.stdout).not.toMatch(/feature2\/feature\.patch/)

    requireLocalBackend(ctx)
    const r = await runCli(['run', ...PAIR, '--dataset-dir', dataset], w.options({ timeoutMs: 120_000 }))
    expect(r.code, describeResult(r)).toBe(ExitCode.failure)
    expect(r.stderr).toMatch(/no pair was judged \(of 1\): 1 pair\(s\) left unjudged because an agent failed for infrastructure or a dataset defect/)
    const [dir] = await pairDirs(w.logs, 'defect', 'coop')
    const result = await readJson(join(dir!, 'result.json'))
    expect(result.agents.agent1).toMatchObject({ status: 'Error', failure: 'dataset' })
    expect(result.agents.agent1.error).toMatch(/^dataset defect: the gold patch of feature 1 does not apply/)
    expect(result.agents.agent2.status).toBe('Submitted')
    expect(existsSync(join(dir!, 'eval.json'))).toBe(false)
  }, 150_000)

  it('an empty feature.md: run refuses before any agent starts (exit 3) instead of scoring a pair given no task', async (ctx) => {
    const dataset = await damagedDataset((task) => writeFile(join(task, 'feature2', 'feature.md'), ' \n\n'))
    const w = await makeWorkdir('defect-empty-spec')
    requireLocalBackend(ctx)
    const r = await runCliInProcess(['run', ...PAIR, '--dataset-dir', dataset], w.options())
    expect(r.code, describeResult(r)).toBe(ExitCode.dataset)
    expect(r.stderr).toMatch(/error: 1 feature spec\(s\) empty, e\.g\. .*task7\/feature2\/feature\.md: the agents would have no task/)
    expect(await pairDirs(w.logs, 'defect', 'coop')).toEqual([])
  }, 150_000)

  it('an empty tests.patch: validate names it, and run refuses before any agent starts (exit 3) instead of ending the pair as a dataset error', async (ctx) => {
    const dataset = await damagedDataset((task) => writeFile(join(task, 'feature1', 'tests.patch'), '\n \n'))
    const w = await makeWorkdir('defect-empty-tests')
    const validate = await runCliInProcess(['dataset', 'validate', '--dataset-dir', dataset], w.options())
    expect(validate.code, describeResult(validate)).toBe(ExitCode.dataset)
    expect(validate.stdout).toMatch(/error: .*task7\/feature1\/tests\.patch: is empty \(the hidden tests of feature 1\)/)

    requireLocalBackend(ctx)
    const r = await runCliInProcess(['run', ...PAIR, '--dataset-dir', dataset], w.options())
    expect(r.code, describeResult(r)).toBe(ExitCode.dataset)
    expect(r.stderr).toMatch(/error: 1 tests patch\(es\) empty, e\.g\. .*task7\/feature1\/tests\.patch: no hidden test would judge the feature/)
    expect(await pairDirs(w.logs, 'defect', 'coop')).toEqual([])
  }, 150_000)

  it('a tests patch that does not apply: the pair gets an error verdict with cause dataset, never a fail', async (ctx) => {
    const dataset = await damagedDataset(async (task) => {
      const path = join(task, 'feature1', 'tests.patch')
      const patch = await readFile(path, 'utf8')
      expect(patch).toContain(' class TestSlugify(unittest.TestCase):')
      // A context line the base does not have: the tests patch no longer applies.
      await writeFile(
        path,
        patch.replace('         self.assertEqual(slugify("Привет world"), "world")', '         self.assertEqual(slugify("Hallo world"), "world")'),
      )
    })
    const w = await makeWorkdir('defect-tests')
    requireLocalBackend(ctx)
    const r = await runCli(['run', ...PAIR, '--dataset-dir', dataset], w.options({ timeoutMs: 120_000 }))
    const [dir] = await pairDirs(w.logs, 'defect', 'coop')
    const record = await readJson(join(dir!, 'eval.json'))
    expect(record.error, describeResult(r)).toMatch(/^dataset defect: the tests patch of feature 1 does not apply to the base commit [0-9a-f]{40}/)
    expect(record.error_cause).toBe('dataset')
    expect(record.both_passed).toBe(false)
    const summary = await readJson(join(w.logs, 'defect', 'eval_summary.json'))
    expect(summary).toMatchObject({ passed: 0, failed: 0, errors: 1 })
    expect(summary.results[0]).toMatchObject({ status: 'error', cause: 'dataset' })
    expect(summary.error_causes).toEqual({ dataset: 1 })
    expect(r.stdout).toMatch(/evaluated {2}1: passed 0, failed 0, errors 1 \(1 dataset\)/)

    // report shows the error by its cause, apart from the fails, as the run summary and eval_summary.json do;
    // the same row in Markdown, LaTeX and CSV is report/test/formats/eval-error-causes.test.ts's.
    const json = await runCli(['report', '-n', 'defect', '--json'], w.options())
    expect(json.code, describeResult(json)).toBe(0)
    expect(JSON.parse(json.stdout).settings[0]).toMatchObject({ failed: 0, errors: 1, errorCauses: { dataset: 1, infra: 0, agent: 0, unknown: 0 } })
    const text = await runCliInProcess(['report', '-n', 'defect'], w.options())
    expect(text.stdout).toMatch(/^evaluation errors by cause \(no verdict: not failed, left out of every rate\):\n.*\n.*\n {2}defect +coop +2 +dataset +1$/m)
  }, 150_000)
})
