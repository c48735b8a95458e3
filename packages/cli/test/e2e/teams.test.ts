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
  useDemoDatasetCopy,
} from './helpers.js'

/**
 * Teams of three through the CLI on the local backend with the oracle: folder layout, result
 * and eval records, summaries, the report by pair size, and the gold conflict check.
 * (Docker and mini_swe_agent teams are covered in docker.test.ts and mini-swe.test.ts.)
 */
const dataset = useDemoDatasetCopy(['textkit_task', 'routekit_task'])
const TRIPLES = ['1,2,3', '1,2,4', '1,3,4', '2,3,4']

describe('cooperbench run --agents 3 with the oracle (local backend)', () => {
  it('coop: f<a>_f<b>_f<c> folders with three agents, patches and trajectories; eval merges three and runs three features', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('teams-coop')
    const r = await runCli(
      ['run', '--dataset-dir', dataset(), '-r', 'textkit_task', '-t', '7', '-a', 'oracle', '--agents', '3', '-c', '4', '-n', 't3'],
      w.options({ timeoutMs: 600_000 }),
    )
    expect(r.code, describeResult(r)).toBe(0)
    const teams = await pairDirs(w.logs, 't3', 'coop')
    // A task of four features: four triples.
    expect(teams.map((dir) => featuresOfPairDir(dir).join(','))).toEqual(TRIPLES)
    for (const dir of teams) {
      const [a, b, c] = featuresOfPairDir(dir) as [number, number, number]
      expect((await listFiles(dir)).sort(), dir).toEqual(
        ['conversation.json', 'eval.json', 'result.json', ...[a, b, c].flatMap((id) => [`agent${id}.patch`, `agent${id}_traj.json`])].sort(),
      )
      const result = await readJson(join(dir, 'result.json'))
      expect(result.features).toEqual([a, b, c])
      expect(Object.entries(result.agents).map(([id, agent]: [string, any]) => [id, agent.feature_id, agent.status])).toEqual([
        ['agent1', a, 'Submitted'],
        ['agent2', b, 'Submitted'],
        ['agent3', c, 'Submitted'],
      ])
      const verdict = await readJson(join(dir, 'eval.json'))
      expect(verdict.error, dir).toBeNull()
      expect(verdict.apply_status).toEqual({ agent1: 'applied', agent2: 'applied', agent3: 'applied' })
      expect([verdict.feature1.feature_id, verdict.feature2.feature_id, verdict.feature3.feature_id]).toEqual([a, b, c])
      expect(verdict.all_passed).toBe(verdict.feature1.passed && verdict.feature2.passed && verdict.feature3.passed)
      expect(verdict.both_passed).toBe(verdict.all_passed)
      if (verdict.merge.status === 'clean') expect(verdict.all_passed, dir).toBe(true)
    }
    const summary = await readJson(join(w.logs, 't3', 'summary.json'))
    expect(summary).toMatchObject({ total_tasks: 4, completed: 4 })
    expect(summary.eval.passed + summary.eval.failed).toBe(4)
    const config = await readJson(join(w.logs, 't3', 'config.json'))
    expect(config.fingerprint.pair_size).toBe(3)

    // A pair run into the same folder is refused: the configuration differs in its pair size.
    const pairs = await runCli(['run', '--dataset-dir', dataset(), '-a', 'oracle', '-r', 'textkit_task', '-t', '7', '-n', 't3'], w.options())
    expect(pairs.code, describeResult(pairs)).not.toBe(0)
    expect(pairs.stderr).toContain('pair_size')

    const report = await runCli(['report', '-n', 't3'], w.options())
    expect(report.code, describeResult(report)).toBe(0)
    expect(report.stdout).toContain('coop, pairs of 3 features (t3)')
    expect(report.stdout).toContain('all passed')
  }, 900_000)

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

  it('-s with --agents 3 takes the subset tasks and all their triples; -f takes three ids', async () => {
    const listed = await runCli(['dataset', 'list', '--dataset-dir', DEMO_DATASET, '-s', 'demo', '--agents', '3', '--json'], { cwd: dataset() })
    expect(listed.code, describeResult(listed)).toBe(0)
    const rows = JSON.parse(listed.stdout) as Array<{ repo: string; task_id: number; features: number[] }>
    // Six tasks of four features; three of them list pairs, which do not apply to triples.
    expect(rows).toHaveLength(24)
    expect(new Set(rows.map((row) => row.features.length))).toEqual(new Set([3]))
    const one = await runCli(['dataset', 'list', '--dataset-dir', dataset(), '-f', '1,2,4', '--agents', '3', '--json'], { cwd: dataset() })
    expect(JSON.parse(one.stdout)).toHaveLength(4)
    // Three ids make a triple without --agents; an --agents that disagrees is refused.
    const three = await runCli(['dataset', 'list', '--dataset-dir', dataset(), '-f', '1,2,4', '--json'], { cwd: dataset() })
    expect(JSON.parse(three.stdout)).toHaveLength(4)
    const wrong = await runCli(['dataset', 'list', '--dataset-dir', dataset(), '-f', '1,2,4', '--agents', '2'], { cwd: dataset() })
    expect(wrong.code).not.toBe(0)
    expect(wrong.stderr).toContain('--agents 3')
  })

  it('run -s team3_clean (a groups subset) runs exactly its two triples as 3-agent coop teams, and both pass', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('teams-groups')
    const r = await runCli(
      ['run', '--dataset-dir', DEMO_DATASET, '-s', 'team3_clean', '-a', 'oracle', '--setting', 'coop', '-c', '2', '-n', 'g3'],
      w.options({ timeoutMs: 600_000 }),
    )
    expect(r.code, describeResult(r)).toBe(0)
    const teams = await pairDirs(w.logs, 'g3', 'coop')
    expect(teams.map((dir) => dir.split('/').slice(-3).join('/'))).toEqual(['confkit_task/5/f2_f3_f4', 'routekit_task/8/f1_f3_f4'])
    for (const dir of teams) {
      const verdict = await readJson(join(dir, 'eval.json'))
      expect(verdict.error, dir).toBeNull()
      expect(Object.keys(verdict.apply_status)).toEqual(['agent1', 'agent2', 'agent3'])
      expect(verdict.merge.status, dir).toBe('clean')
      expect(verdict.all_passed, dir).toBe(true)
    }
    const config = await readJson(join(w.logs, 'g3', 'config.json'))
    expect(JSON.stringify(config)).toContain('team3_clean')
    // Re-scored under another policy by name alone: eval takes the pair size from the run.
    const rescore = await runCli(['eval', '--dataset-dir', DEMO_DATASET, '-n', 'g3', '--policy', 'cooperbench-0.0.14'], w.options({ timeoutMs: 300_000 }))
    expect(rescore.code, describeResult(rescore)).toBe(0)
    for (const dir of teams) expect((await readJson(join(dir, 'eval.cooperbench-0.0.14.json'))).all_passed, dir).toBe(true)
    const disagree = await runCli(['run', '--dataset-dir', DEMO_DATASET, '-s', 'team3_clean', '-a', 'oracle', '--agents', '2', '-n', 'g2'], w.options())
    expect(disagree.code, describeResult(disagree)).toBe(2)
    expect(disagree.stderr).toContain('--agents 2 disagrees')
    const subsets = await runCli(['dataset', 'list', '--dataset-dir', DEMO_DATASET, '--subsets', '--json'], w.options())
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
