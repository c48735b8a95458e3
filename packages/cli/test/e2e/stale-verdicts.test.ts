import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { copyDemoDataset, describeResult, makeWorkdir, pairDirs, readJson, requireLocalBackend, runCli, tempDir } from './helpers.js'

/**
 * A verdict remembers the task inputs it was made with (`inputs_digest`): when a task's tests
 * change, a resumed run and `eval` judge the pair again and say so, instead of keeping the verdict
 * of the old tests.
 */
const PAIR = ['-a', 'oracle', '--setting', 'solo', '-r', 'textkit_task', '-t', '7', '-f', '1,2', '-n', 'stale']

describe('verdicts remember their inputs', () => {
  it('a changed tests.patch: resume and eval re-score (and say so) instead of reusing the old verdict', async (ctx) => {
    requireLocalBackend(ctx)
    const dataset = await copyDemoDataset(await tempDir('stale-dataset'), ['textkit_task'])
    const w = await makeWorkdir('stale')
    const run = () => runCli(['run', ...PAIR, '--dataset-dir', dataset], w.options({ timeoutMs: 120_000 }))
    const first = await run()
    expect(first.code, describeResult(first)).toBe(0)
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
})
