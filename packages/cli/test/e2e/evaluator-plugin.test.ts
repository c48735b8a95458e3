import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEMO_DATASET, describeResult, makeWorkdir, pairDirs, readJson, REPO_ROOT, requireLocalBackend, runCli, runCliInProcess } from './helpers.js'

/**
 * The evaluator is chosen by configuration: a third-party evaluator plugin (examples/evaluator-strict,
 * loaded from a config file's `plugins`) judges a demo pair whose gold patches conflict under a
 * plain merge but pass every test once union-merged: `default` passes it, `strict` fails it.
 * Real CLI processes run and evaluate; the refused runs, checks of the command's wording, run in
 * the test's own process.
 */
const STRICT_PLUGIN = join(REPO_ROOT, 'examples', 'evaluator-strict')
// Under cooperbench-0.0.14, whose union merge is what `strict` refuses to credit.
const common = ['-r', 'textkit_task', '-t', '12', '-a', 'oracle', '--dataset-dir', DEMO_DATASET, '--policy', 'cooperbench-0.0.14']

describe('an evaluator from a plugin, chosen by --evaluator and by the config file', () => {
  it('strict fails the union-merged pair that default passes; eval re-judges pairs of another evaluator; the config key chooses too', async (context) => {
    requireLocalBackend(context)
    const w = await makeWorkdir('evaluator')
    await writeFile(join(w.cwd, 'cooperbench.config.json'), JSON.stringify({ plugins: [STRICT_PLUGIN] }))

    const listed = await runCli(['evaluators', 'list', '--json'], w.options())
    expect(listed.code, describeResult(listed)).toBe(0)
    expect(JSON.parse(listed.stdout).map((row: { name: string; plugin: string }) => `${row.name}:${row.plugin}`)).toEqual([
      'default:@cooperbench/evaluator-default',
      'strict:cooperbench-evaluator-strict',
    ])

    const strict = await runCli(['run', '-n', 'conflicting', '-f', '2,3', '--evaluator', 'strict', ...common], w.options())
    expect(strict.code, describeResult(strict)).toBe(0)
    const [dir] = await pairDirs(w.logs, 'conflicting', 'coop')
    const judged = await readJson(join(dir!, 'eval.json'))
    expect(judged).toMatchObject({ evaluator: 'strict', both_passed: false, merge: { status: 'conflicts', strategy: 'union' }, error: null })
    expect(judged.strict).toMatchObject({ tests_passed_after_union: true })
    expect(judged.feature1.passed && judged.feature2.passed).toBe(true)
    expect(await readJson(join(w.logs, 'conflicting', 'eval_summary.json'))).toMatchObject({ passed: 0, failed: 1 })

    // The default evaluator does not keep strict's verdict: `eval` evaluates the pair again.
    const again = await runCli(['eval', '-n', 'conflicting', '--dataset-dir', DEMO_DATASET], w.options())
    expect(again.code, describeResult(again)).toBe(0)
    expect(again.stderr).toContain('evaluating 1 pair(s) (0 already evaluated)')
    const relaxed = await readJson(join(dir!, 'eval.json'))
    expect(relaxed.both_passed).toBe(true)
    expect(relaxed).not.toHaveProperty('evaluator')
    expect(relaxed).not.toHaveProperty('strict')

    // The config key, with the evaluator's options validated against its schema.
    await writeFile(
      join(w.cwd, 'cooperbench.config.json'),
      JSON.stringify({ plugins: [STRICT_PLUGIN], evaluator: 'strict', evaluators: { strict: { refuseMissingInput: 'yes' } } }),
    )
    const badOptions = await runCliInProcess(['run', '-n', 'clean', '-f', '1,2', ...common], w.options())
    expect(badOptions.code).not.toBe(0)
    expect(badOptions.stderr).toMatch(/evaluators\.strict\.refuseMissingInput/)
    await writeFile(join(w.cwd, 'cooperbench.config.json'), JSON.stringify({ plugins: [STRICT_PLUGIN], evaluator: 'strict' }))
    const clean = await runCli(['run', '-n', 'clean', '-f', '1,2', ...common], w.options())
    expect(clean.code, describeResult(clean)).toBe(0)
    const [cleanDir] = await pairDirs(w.logs, 'clean', 'coop')
    expect(await readJson(join(cleanDir!, 'eval.json'))).toMatchObject({ evaluator: 'strict', both_passed: true, merge: { status: 'clean' } })

    const unknown = await runCliInProcess(['run', '-n', 'nope', '-f', '1,2', '--evaluator', 'nope', ...common], w.options())
    expect(unknown.code).not.toBe(0)
    expect(unknown.stderr).toMatch(/error: unknown evaluator "nope"/)
  }, 180_000)
})
