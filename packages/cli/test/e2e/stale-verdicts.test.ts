import { cp, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { bundleDemoRuns } from './bundle-demo-runs.js'
import { copyDemoDataset, describeResult, makeWorkdir, pairDirs, readJson, requireLocalBackend, runCli, tempDir } from './helpers.js'

/**
 * A verdict remembers the task inputs it was made with (`inputs_digest`): when a task's tests
 * change, a resumed run and `eval` judge the pair again and say so, instead of keeping the verdict
 * of the old tests. A result remembers the task text its agents were given (`task_text_digest`):
 * when that text changes, the pair is another task's work, which a resumed run runs again and
 * `eval` never judges.
 */
const PAIR = ['-a', 'oracle', '--setting', 'solo', '-r', 'textkit_task', '-t', '7', '-f', '1,2', '-n', 'stale']

/**
 * The shared oracle solo run of textkit 7 f1,2 (`bundleDemoRuns`), copied into `logs` as `name`:
 * each test resumes it against its own copy of the dataset, whose task inputs and text are the
 * demo's until the test changes them, so the copied verdict and result are as the test's own run
 * of the pair would make them.
 */
async function sharedSoloRun(logs: string, name: string): Promise<void> {
  await cp(join((await bundleDemoRuns()).logs, 'solo-or-demo'), join(logs, name), { recursive: true })
}

describe('verdicts remember their inputs', () => {
  it('a changed tests.patch: resume and eval re-score (and say so) instead of reusing the old verdict', async (ctx) => {
    requireLocalBackend(ctx)
    const dataset = await copyDemoDataset(await tempDir('stale-dataset'), ['textkit_task'])
    const w = await makeWorkdir('stale')
    const run = () => runCli(['run', ...PAIR, '--dataset-dir', dataset], w.options({ timeoutMs: 120_000 }))
    await sharedSoloRun(w.logs, 'stale')
    const [dir] = await pairDirs(w.logs, 'stale', 'solo')
    const before = await readJson(join(dir!, 'eval.json'))
    expect(before.both_passed).toBe(true)
    expect(before.inputs_digest).toMatch(/^sha256:[0-9a-f]{64}$/)

    // Same file, still applying, but now expecting what the gold patch does not do.
    const tests = join(dataset, 'textkit_task', 'task7', 'feature1', 'tests.patch')
    const text = await readFile(tests, 'utf8')
    const line = '+        self.assertEqual(slugify("one two", max_length=100), "one-two")'
    expect(text).toContain(line)
    await writeFile(tests, text.replace(line, line.replace('"one-two")', '"two-one")')))

    const resumed = await run()
    expect(resumed.stderr, describeResult(resumed)).toMatch(/1 earlier verdict\(s\) were made with other task inputs .*evaluating them again/)
    // Other tests judge the same work: the agents' patches are kept, only the verdict is made again.
    expect(resumed.stderr).toMatch(/1 pair\(s\) already finished: reusing their results/)
    const after = await readJson(join(dir!, 'eval.json'))
    expect(after.both_passed).toBe(false)
    expect(after.feature1.passed).toBe(false)
    expect(after.inputs_digest).not.toBe(before.inputs_digest)

    // Back to the original tests: `eval` (no --force) finds the verdict stale again.
    await writeFile(tests, text)
    const evaluated = await runCli(['eval', '-n', 'stale', '--dataset-dir', dataset], w.options({ timeoutMs: 120_000 }))
    expect(evaluated.code, describeResult(evaluated)).toBe(0)
    expect(evaluated.stderr).toMatch(/1 earlier verdict\(s\) were made with other task inputs/)
    const again = await readJson(join(dir!, 'eval.json'))
    expect(again.both_passed).toBe(true)
    expect(again.inputs_digest).toBe(before.inputs_digest)
  }, 300_000)

  it('a changed feature.md: resume runs the agents again; eval refuses the old patches as errors, never a verdict', async (ctx) => {
    requireLocalBackend(ctx)
    const dataset = await copyDemoDataset(await tempDir('retold-dataset'), ['textkit_task'])
    const w = await makeWorkdir('retold')
    const args = ['-a', 'oracle', '--setting', 'solo', '-r', 'textkit_task', '-t', '7', '-f', '1,2', '-n', 'retold', '--dataset-dir', dataset]
    const run = () => runCli(['run', ...args], w.options({ timeoutMs: 120_000 }))
    const evaluate = (...more: string[]) => runCli(['eval', '-n', 'retold', '--dataset-dir', dataset, ...more], w.options({ timeoutMs: 120_000 }))
    await sharedSoloRun(w.logs, 'retold')
    const [dir] = await pairDirs(w.logs, 'retold', 'solo')
    const ran = await readJson(join(dir!, 'result.json'))
    expect(ran.task_text_digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect((await readJson(join(dir!, 'eval.json'))).both_passed).toBe(true)

    // The agents were told another task than the one the dataset now holds.
    const spec = join(dataset, 'textkit_task', 'task7', 'feature1', 'feature.md')
    const text = await readFile(spec, 'utf8')
    await writeFile(spec, `${text}\nAlso accept a separator argument.\n`)

    // eval cannot run agents: it records the pair as an error that says why, with --force too.
    for (const more of [[], ['--force']]) {
      const evaluated = await evaluate(...more)
      expect(evaluated.code, describeResult(evaluated)).toBe(1)
      expect(evaluated.stderr).toMatch(/1 pair\(s\) were run with another task text \(feature\.md changed since their agents ran\): not judged/)
      expect(evaluated.stderr).toMatch(/no pair of retold was judged: 1 evaluation error/)
      const refused = await readJson(join(dir!, 'eval.json'))
      expect(refused.both_passed).toBe(false)
      expect(refused.error).toMatch(/the task text \(feature\.md\) changed since the pair's agents ran.*`cooperbench run`/)
      expect(refused.error_cause).toBe('task_changed')
      const summary = await readJson(join(w.logs, 'retold', 'eval_summary.json'))
      expect(summary).toMatchObject({ passed: 0, failed: 0, errors: 1, error_causes: { task_changed: 1 } })
    }

    // run resumes by running the pair's agents on the new text, not by scoring their old patch.
    const resumed = await run()
    expect(resumed.code, describeResult(resumed)).toBe(0)
    expect(resumed.stderr).toMatch(/1 finished pair\(s\) were run with another task text .*running their agents again/)
    expect(resumed.stderr).not.toMatch(/reusing their results/)
    const rerun = await readJson(join(dir!, 'result.json'))
    expect(rerun.run_id).not.toBe(ran.run_id)
    expect(rerun.task_text_digest).not.toBe(ran.task_text_digest)
    const judged = await readJson(join(dir!, 'eval.json'))
    expect(judged).toMatchObject({ both_passed: true, error: null })

    // A result.json written before results recorded their task text is trusted as before: reused, re-scored.
    delete rerun.task_text_digest
    await writeFile(join(dir!, 'result.json'), JSON.stringify(rerun, null, 2))
    await writeFile(spec, text)
    const old = await run()
    expect(old.code, describeResult(old)).toBe(0)
    expect(old.stderr).toMatch(/1 pair\(s\) already finished: reusing their results/)
    expect(old.stderr).toMatch(/1 earlier verdict\(s\) were made with other task inputs/)
    expect((await readJson(join(dir!, 'result.json'))).run_id).toBe(rerun.run_id)
  }, 400_000)
})
