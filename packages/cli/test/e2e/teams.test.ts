import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  DEMO_DATASET,
  describeResult,
  featuresOfPairDir,
  listFiles,
  makeWorkdir,
  pairDirs,
  readJson,
  requireLocalBackend,
  runCli,
  runCliInProcess,
  useDemoDatasetCopy,
} from './helpers.js'

/**
 * Teams of three through the CLI on the local backend with the oracle: folder layout, result
 * and eval records, summaries, the report by pair size, and the gold conflict check.
 * (Docker and mini_swe_agent teams are covered in docker.test.ts and mini-swe.test.ts; docker.test.ts
 * also runs a triple whose gold patches conflict on the local backend, eval/teams.test.ts the
 * evaluator on such triples.)
 */
const dataset = useDemoDatasetCopy(['textkit_task', 'routekit_task'])
const TRIPLES = ['1,2,3', '1,2,4', '1,3,4', '2,3,4']

describe('cooperbench run --agents 3 with the oracle (local backend)', () => {
  it('solo: one agent gets all three features, and the gold patches pass all three', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('teams-solo')
    // One triple: which triples a task has is the coop test's (and the selection's) business.
    const r = await runCli(
      ['run', '--dataset-dir', dataset(), '-r', 'textkit_task', '-t', '7', '-f', '1,2,3', '-a', 'oracle', '--setting', 'solo', '--agents', '3'],
      w.options({ timeoutMs: 600_000 }),
    )
    expect(r.code, describeResult(r)).toBe(0)
    // The generated run name says the pair size.
    const [run] = await readdir(w.logs)
    expect(run).toMatch(/-n3-/)
    const teams = await pairDirs(w.logs, run!, 'solo')
    expect(teams.map((dir) => featuresOfPairDir(dir).join(','))).toEqual(['1,2,3'])
    for (const dir of teams) {
      const verdict = await readJson(join(dir, 'eval.json'))
      expect(verdict, dir).toMatchObject({ error: null, all_passed: true, both_passed: true, merge: null })
      expect(verdict.feature3.passed).toBe(true)
    }
  }, 900_000)

  // Which ids -f takes with or without --agents is the selection's, unit-tested on it (the dataset
  // package's filters.test.ts and groups.test.ts); here --agents reaching it from the command line.
  it('-s with --agents 3 takes the subset tasks and all their triples', async () => {
    const listed = await runCli(['dataset', 'list', '--dataset-dir', DEMO_DATASET, '-s', 'demo', '--agents', '3', '--json'], { cwd: dataset() })
    expect(listed.code, describeResult(listed)).toBe(0)
    const rows = JSON.parse(listed.stdout) as Array<{ repo: string; task_id: number; features: number[] }>
    // Six tasks of four features; three of them list pairs, which do not apply to triples.
    expect(rows).toHaveLength(24)
    expect(new Set(rows.map((row) => row.features.length))).toEqual(new Set([3]))
  })

  it('coop on a groups subset (-s team3_clean): exactly its two triples, f<a>_f<b>_f<c> folders with three agents, patches and trajectories; eval merges three and runs three features; summaries, re-scoring and the report by pair size', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('teams-groups')
    const r = await runCli(
      ['run', '--dataset-dir', DEMO_DATASET, '-s', 'team3_clean', '-a', 'oracle', '--setting', 'coop', '-c', '2', '-n', 'g3'],
      w.options({ timeoutMs: 600_000 }),
    )
    expect(r.code, describeResult(r)).toBe(0)
    const teams = await pairDirs(w.logs, 'g3', 'coop')
    expect(
      teams.map((dir) => dir.split('/').slice(-3).join('/')),
      'the subset runs its two triples, and only them',
    ).toEqual(['confkit_task/5/f2_f3_f4', 'routekit_task/8/f1_f3_f4'])
    for (const dir of teams) {
      const [a, b, c] = featuresOfPairDir(dir) as [number, number, number]
      expect((await listFiles(dir)).sort(), `${dir}: a folder per team, each agent's patch and trajectory`).toEqual(
        ['conversation.json', 'eval.json', 'result.json', ...[a, b, c].flatMap((id) => [`agent${id}.patch`, `agent${id}_traj.json`])].sort(),
      )
      const result = await readJson(join(dir, 'result.json'))
      expect(result.features).toEqual([a, b, c])
      expect(
        Object.entries(result.agents).map(([id, agent]: [string, any]) => [id, agent.feature_id, agent.status]),
        `${dir}: three agents, one per feature in order`,
      ).toEqual([
        ['agent1', a, 'Submitted'],
        ['agent2', b, 'Submitted'],
        ['agent3', c, 'Submitted'],
      ])
      const verdict = await readJson(join(dir, 'eval.json'))
      expect(verdict.error, dir).toBeNull()
      expect(verdict.apply_status, `${dir}: three branches applied`).toEqual({ agent1: 'applied', agent2: 'applied', agent3: 'applied' })
      expect([verdict.feature1.feature_id, verdict.feature2.feature_id, verdict.feature3.feature_id], `${dir}: three features tested, in order`).toEqual([
        a,
        b,
        c,
      ])
      expect(verdict.merge.status, `${dir}: the subset's gold patches merge cleanly`).toBe('clean')
      expect(verdict.all_passed, `${dir}: all passed is every feature passed`).toBe(
        verdict.feature1.passed && verdict.feature2.passed && verdict.feature3.passed,
      )
      expect(verdict.all_passed, `${dir}: a clean merge of gold patches passes all three`).toBe(true)
      expect(verdict.both_passed, `${dir}: both_passed says all_passed for a team`).toBe(verdict.all_passed)
    }
    const summary = await readJson(join(w.logs, 'g3', 'summary.json'))
    expect(summary, 'summary.json counts teams as pairs').toMatchObject({ total_tasks: 2, completed: 2, eval: { passed: 2, failed: 0 } })
    const config = await readJson(join(w.logs, 'g3', 'config.json'))
    expect(config.fingerprint.pair_size, 'the pair size is part of the configuration').toBe(3)
    expect(JSON.stringify(config)).toContain('team3_clean')

    // A pair run into the same folder is refused: the configuration differs in its pair size.
    // The refusals and the subset list, the commands' wording, in the test's own process.
    const pairs = await runCliInProcess(
      ['run', '--dataset-dir', DEMO_DATASET, '-a', 'oracle', '-r', 'routekit_task', '-t', '8', '-f', '1,3', '-n', 'g3'],
      w.options(),
    )
    expect(pairs.code, describeResult(pairs)).not.toBe(0)
    expect(pairs.stderr, 'a pair run into a team run is refused naming the pair size').toContain('pair_size')

    const report = await runCli(['report', '-n', 'g3'], w.options())
    expect(report.code, describeResult(report)).toBe(0)
    expect(report.stdout, 'the report names the pair size').toContain('coop, pairs of 3 features (g3)')
    expect(report.stdout, "the report's column for teams").toContain('all passed')

    // Re-scored under another policy by name alone: eval takes the pair size from the run.
    const rescore = await runCli(['eval', '--dataset-dir', DEMO_DATASET, '-n', 'g3', '--policy', 'cooperbench-0.0.14'], w.options({ timeoutMs: 300_000 }))
    expect(rescore.code, describeResult(rescore)).toBe(0)
    for (const dir of teams) expect((await readJson(join(dir, 'eval.cooperbench-0.0.14.json'))).all_passed, dir).toBe(true)
    const disagree = await runCliInProcess(
      ['run', '--dataset-dir', DEMO_DATASET, '-s', 'team3_clean', '-a', 'oracle', '--agents', '2', '-n', 'g2'],
      w.options(),
    )
    expect(disagree.code, describeResult(disagree)).toBe(2)
    expect(disagree.stderr).toContain('--agents 2 disagrees')
    const subsets = await runCliInProcess(['dataset', 'list', '--dataset-dir', DEMO_DATASET, '--subsets', '--json'], w.options())
    expect(JSON.parse(subsets.stdout).find((row: any) => row.name === 'team3_clean')).toMatchObject({ tasks: 2, lists: [{ kind: 'groups of 3', count: 2 }] })
  }, 600_000)

  it('dataset conflicts --agents 3 writes its own report (named after the selection, in the working folder) with f3 keys and leaves the pair report alone', async (ctx) => {
    requireLocalBackend(ctx)
    const pairReport = join(dataset(), 'gold_conflict_report.json')
    const before = await readFile(pairReport, 'utf8').catch(() => null)
    const r = await runCli(['dataset', 'conflicts', '--dataset-dir', dataset(), '-r', 'textkit_task', '--agents', '3'], { cwd: dataset(), timeoutMs: 300_000 })
    expect(r.code, describeResult(r)).toBe(0)
    const written = join(dataset(), 'gold_conflict_report_3tuples-textkit_task.json')
    expect(r.stderr).toContain(`wrote ${written}`)
    const report = await readJson(written)
    expect(report.summary.total_pairs).toBe(8)
    expect(report.all_results.map((x: any) => [x.f1, x.f2, x.f3].join(','))).toEqual([...TRIPLES, ...TRIPLES])
    expect(Object.keys(report.all_results[0])).toContain('patch3_apply_failed')
    expect(await readFile(pairReport, 'utf8').catch(() => null)).toBe(before)
  }, 300_000)
})
