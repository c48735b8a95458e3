/**
 * Teams of three on the demo dataset with the local backend: the evaluator merges three
 * branches in order and runs three features' tests; the gold conflict check does the same
 * merge without tests. Both must agree with plain git.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EvalRecord, Pair, Task } from '@cooperbench/core'
import { taskPairs } from '@cooperbench/dataset'
import { checkGoldConflicts, createDefaultEvaluator, UNION_FAILED_ERROR } from '@cooperbench/evaluator-default'
import { featureVerdicts } from '@cooperbench/spec-utils/records'
import pLimit from 'p-limit'
import type { LocalBackend } from '@cooperbench/backend-local'
import { cloneAtBase, coop, demoTasks, directGoldChain, evalInput, goldPatch, hasBwrap, openBackend, titled } from './support.js'

const evaluator = createDefaultEvaluator()
let backend: LocalBackend
let closeBackend: () => Promise<void>
let tasks: Task[] = []
/** Per team label `<repo>/<task>/<a>,<b>,<c>`: does plain git conflict when merging the gold patches in order? */
const gitSays = new Map<string, boolean>()
const label = (p: Pair): string => `${p.task.repo}/${p.task.taskId}/${p.features.join(',')}`
const triples = (): Pair[] => tasks.flatMap((t) => taskPairs(t, 3))

beforeAll(async () => {
  if (!hasBwrap) return
  ;({ backend, close: closeBackend } = await openBackend())
  // One task keeps the suite short: confkit's task 5 has four features, so four triples, of which
  // one merges cleanly and three conflict.
  tasks = (await demoTasks(backend)).filter((t) => t.repo === 'confkit_task' && t.taskId === 5)
  for (const task of tasks) {
    const clone = await cloneAtBase(task)
    try {
      for (const team of taskPairs(task, 3)) {
        const patches = await Promise.all(team.features.map((id) => goldPatch(task, id)))
        gitSays.set(label(team), directGoldChain(clone.dir, task.source.baseCommit!, patches).conflict)
      }
    } finally {
      await clone.cleanup()
    }
  }
}, 120_000)

afterAll(async () => {
  await closeBackend?.()
})

describe.skipIf(!hasBwrap)(titled('teams of three: gold patches through the evaluator and the conflict check (local backend)'), () => {
  it('every triple of a task is a team, in lexicographic order', () => {
    expect(tasks.length).toBe(1)
    // Some triples merge cleanly and some conflict, so both paths are exercised.
    expect(new Set(gitSays.values())).toEqual(new Set([true, false]))
    expect(taskPairs(tasks[0]!, 3).map((p) => p.features)).toEqual([
      [1, 2, 3],
      [1, 2, 4],
      [1, 3, 4],
      [2, 3, 4],
    ])
  })

  it('coop: three branches applied and merged in order; feature1..3 in order; all_passed when the merge is clean', async () => {
    const teams = triples()
    const records: EvalRecord[] = []
    await pLimit(3).map(teams, async (team, i) => {
      const patches = await Promise.all(team.features.map((id) => goldPatch(team.task, id)))
      records[i] = await evaluator.evaluate(evalInput(backend, team.task, team.features, coop(...patches)))
    })
    for (const [i, team] of teams.entries()) {
      const r = records[i]!
      const conflict = gitSays.get(label(team))!
      if (conflict && r.error === UNION_FAILED_ERROR) {
        // Both strategies failed: the error shape, with one empty verdict per member.
        expect(r.apply_status).toEqual({ agent1: 'unknown', agent2: 'unknown', agent3: 'unknown' })
        expect(featureVerdicts(r)).toHaveLength(3)
        expect(r.all_passed).toBe(false)
        continue
      }
      expect(r.error, label(team)).toBeNull()
      expect(r.apply_status, label(team)).toEqual({ agent1: 'applied', agent2: 'applied', agent3: 'applied' })
      expect(r.merge, label(team)).toMatchObject(conflict ? { status: 'conflicts', strategy: 'union' } : { status: 'clean', strategy: 'naive' })
      expect(r.patch_filter).toEqual({ agent1: [], agent2: [], agent3: [] })
      expect(Object.keys(r).filter((k) => /^feature\d$/.test(k))).toEqual(['feature1', 'feature2', 'feature3'])
      expect(featureVerdicts(r).map((f) => f.feature_id)).toEqual(team.features)
      expect(r.all_passed).toBe(featureVerdicts(r).every((f) => f.passed))
      expect(r.both_passed).toBe(r.all_passed)
      if (!conflict) expect(r.all_passed, label(team)).toBe(true)
    }
  }, 600_000)

  it('the gold conflict check of triples agrees with plain git, with f3 and patch3_apply_failed', async () => {
    const teams = triples()
    const report = await checkGoldConflicts({
      pairs: teams,
      createSandbox: (task) => backend.createSandbox({ task, image: 'unused-by-local', role: 'conflicts', labels: {} }),
      concurrency: 2,
    })
    expect(report.all_results.map((r) => `${r.repo}/${r.task_id}/${r.f1},${r.f2},${r.f3}`)).toEqual(teams.map(label))
    for (const r of report.all_results) {
      const key = `${r.repo}/${r.task_id}/${r.f1},${r.f2},${r.f3}`
      expect(Object.keys(r)).toEqual([
        'repo',
        'task_id',
        'f1',
        'f2',
        'f3',
        'has_conflict',
        'patch1_apply_failed',
        'patch2_apply_failed',
        'patch3_apply_failed',
        'error',
      ])
      expect(r, key).toMatchObject({
        has_conflict: gitSays.get(key),
        patch1_apply_failed: false,
        patch2_apply_failed: false,
        patch3_apply_failed: false,
        error: null,
      })
    }
    expect(report.summary.total_pairs).toBe(teams.length)
    expect(report.conflict_pairs.every((p) => typeof p.f3 === 'number')).toBe(true)
  }, 300_000)
})
