import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEMO_DATASET, describeResult, makeWorkdir, mtimeOf, pairDirs, readJson, requireLocalBackend, runCli } from './helpers.js'

/**
 * Evaluation policies end to end on the demo dataset with the oracle (gold patches, offline):
 * confkit_task 0, features 3 and 4 conflict under a plain merge; the union merge passes both
 * features (cooperbench-0.0.14) while agent1's gold patch alone cannot pass feature 4
 * (cooperbench-0.0.16). `eval --policy` flips the verdict without running an agent, beside the run's own.
 */
describe('evaluation policies: run, re-score, report', () => {
  it('a run under 0.0.14, re-scored under 0.0.16 beside it; the report shows both; a resume under another policy is refused', async (context) => {
    requireLocalBackend(context)
    const w = await makeWorkdir('policies')
    const pair = ['--dataset-dir', DEMO_DATASET, '-r', 'confkit_task', '-t', '0', '-f', '3,4', '-a', 'oracle']
    const run = await runCli(['run', '-n', 'p14', ...pair, '--policy', 'cooperbench-0.0.14'], w.options())
    expect(run.code, describeResult(run)).toBe(0)
    const [dir] = await pairDirs(w.logs, 'p14', 'coop')
    const own = await readJson(join(dir!, 'eval.json'))
    expect(own).toMatchObject({ policy: 'cooperbench-0.0.14', merge: { status: 'conflicts', strategy: 'union' }, both_passed: true, all_passed: true })
    expect(await readJson(join(w.logs, 'p14', 'config.json'))).toMatchObject({ evaluation_policy: 'cooperbench-0.0.14' })
    const ownBytes = await readFile(join(dir!, 'eval.json'), 'utf8')
    const agentFiles = ['result.json', 'agent3.patch', 'agent4.patch', 'agent3_traj.json']
    const before = await Promise.all(agentFiles.map((f) => mtimeOf(join(dir!, f))))

    const rescore = await runCli(['eval', '-n', 'p14', '--dataset-dir', DEMO_DATASET, '--policy', 'cooperbench-0.0.16'], w.options())
    expect(rescore.code, describeResult(rescore)).toBe(0)
    expect(rescore.stderr).toContain('evaluating 1 pair(s) (0 already evaluated)')
    const other = await readJson(join(dir!, 'eval.cooperbench-0.0.16.json'))
    expect(other).toMatchObject({ policy: 'cooperbench-0.0.16', merge: { status: 'conflicts', strategy: 'naive' }, both_passed: false })
    expect([other.feature1.passed, other.feature2.passed]).toEqual([false, false])
    expect(await readJson(join(w.logs, 'p14', 'eval_summary.cooperbench-0.0.16.json'))).toMatchObject({ policy: 'cooperbench-0.0.16', passed: 0, failed: 1 })
    // The run's own verdicts and its agents' work are untouched: no agent ran again.
    expect(await readFile(join(dir!, 'eval.json'), 'utf8')).toBe(ownBytes)
    expect(await readJson(join(w.logs, 'p14', 'eval_summary.json'))).toMatchObject({ passed: 1, failed: 0 })
    expect(await Promise.all(agentFiles.map((f) => mtimeOf(join(dir!, f))))).toEqual(before)

    // Without --policy, eval keeps to the run's own policy: nothing to do.
    const again = await runCli(['eval', '-n', 'p14', '--dataset-dir', DEMO_DATASET], w.options())
    expect(again.code, describeResult(again)).toBe(0)
    expect(again.stderr).toContain('evaluating 0 pair(s) (1 already evaluated)')
    expect(await readFile(join(dir!, 'eval.json'), 'utf8')).toBe(ownBytes)

    const report = await runCli(['report', '-n', 'p14'], w.options())
    expect(report.code, describeResult(report)).toBe(0)
    expect(report.stdout).toContain('coop (p14), evaluation policy cooperbench-0.0.14')
    expect(report.stdout).toMatch(/cooperbench-0\.0\.14 +eval\.json +1\/1 +1 +0 +0 +100\.0% \(1\/1\) +100\.0% \(1\/1\) +union 1/)
    expect(report.stdout).toMatch(/cooperbench-0\.0\.16 +eval\.cooperbench-0\.0\.16\.json +1\/1 +0 +1 +0 +0\.0% \(0\/1\) +0\.0% \(0\/1\) +no passes/)
    const csv = await runCli(['report', '-n', 'p14', '--format', 'csv'], w.options())
    expect(csv.stdout).toMatch(/^p14,oracle,,coop,2,policy,,1,1,0,1,0,0,.*cooperbench-0\.0\.16/m)

    // Resuming the run under another policy would mix verdicts of two policies in one run.
    const resume = await runCli(['run', '-n', 'p14', ...pair], w.options())
    expect(resume.code, describeResult(resume)).not.toBe(0)
    expect(resume.stderr).toContain('evaluation_policy: "cooperbench-0.0.14" → "cooperbench-0.0.16"')

    // A second run under the default policy: the report says the two were scored differently.
    const p16 = await runCli(['run', '-n', 'p16', ...pair], w.options())
    expect(p16.code, describeResult(p16)).toBe(0)
    const [dir16] = await pairDirs(w.logs, 'p16', 'coop')
    expect(await readJson(join(dir16!, 'eval.json'))).toMatchObject({ policy: 'cooperbench-0.0.16', both_passed: false })
    const both = await runCli(['report', '-n', 'p14', '-n', 'p16', '--format', 'md'], w.options())
    expect(both.code, describeResult(both)).toBe(0)
    expect(both.stdout).toContain('> **Note:** coop runs scored under different evaluation policies: p14 (cooperbench-0.0.14), p16 (cooperbench-0.0.16)')
  }, 300_000)
})
