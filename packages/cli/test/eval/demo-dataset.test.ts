/**
 * The evaluator and the gold conflict check on the demo dataset with the local backend:
 * oracle patches must give the verdicts plain git and the tasks' own tests give, and the
 * committed verdicts (dataset/expected/demo-verdicts.json) that backends' e2e tests compare
 * their runs with must be these.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EvalPatches, EvalRecord, Pair, Task } from '@cooperbench/core'
import type { EvaluationPolicy } from '@cooperbench/spec'
import { taskPairs } from '@cooperbench/dataset'
import { checkGoldConflicts, createDefaultEvaluator, type GoldConflictResult } from '@cooperbench/evaluator-default'
import pLimit from 'p-limit'
import type { LocalBackend } from '@cooperbench/backend-local'
import { cloneAtBase, coop, demoTasks, directGoldMerge, evalInput, git, gitApplies, goldPatch, hasBwrap, openBackend, solo, titled } from './support.js'
import { EXPECTED_VERDICTS_FILE, expectedVerdict, expectedVerdicts, verdictOf } from '../e2e/expected-verdicts.js'

const evaluator = createDefaultEvaluator()
let backend: LocalBackend
let closeBackend: () => Promise<void>
let tasks: Task[] = []
/** Per pair label `<repo>/<task>/<a>,<b>`: does plain git conflict on the gold patches? */
const gitSays = new Map<string, boolean>()
/** Per pair label: do both gold patches, concatenated, apply at the base? */
const concatenationApplies = new Map<string, boolean>()
/** Labels of the pairs whose gold patches merge cleanly and, concatenated, make the very tree the merge makes. */
const concatenationIsMerge = new Set<string>()
const label = (p: Pair): string => `${p.task.repo}/${p.task.taskId}/${p.features.join(',')}`
const STALE = `${EXPECTED_VERDICTS_FILE} disagrees with the gold patches: fix the dataset, or run \`pnpm dataset:expected\` if the change is meant`

beforeAll(async () => {
  if (!hasBwrap) return
  ;({ backend, close: closeBackend } = await openBackend())
  tasks = await demoTasks(backend)
  for (const task of tasks) {
    const clone = await cloneAtBase(task)
    try {
      for (const pair of taskPairs(task)) {
        const [a, b] = pair.features as [number, number]
        const [pa, pb] = [await goldPatch(task, a), await goldPatch(task, b)]
        const { conflict } = directGoldMerge(clone.dir, task.source.baseCommit!, pa, pb)
        gitSays.set(label(pair), conflict)
        concatenationApplies.set(label(pair), gitApplies(clone.dir, pa + pb))
        // A clean merge is left committed on the branch agent2.
        if (!conflict && concatenationApplies.get(label(pair)) && treeOf(clone.dir, pa + pb) === git(clone.dir, ['rev-parse', 'agent2^{tree}']).trim()) {
          concatenationIsMerge.add(label(pair))
        }
      }
    } finally {
      await clone.cleanup()
    }
  }
}, 120_000)

afterAll(async () => {
  await closeBackend?.()
})

/** The tree `patch` makes, applied at the clone's current commit, which it leaves as it was. */
function treeOf(repo: string, patch: string): string {
  git(repo, ['apply', '--index', '-'], patch)
  const tree = git(repo, ['write-tree']).trim()
  git(repo, ['reset', '--quiet', '--hard'])
  git(repo, ['clean', '-fdxq'])
  return tree
}

/** Evaluates every pair of every demo task (those `only` keeps), a few at once, in discovery order. */
async function evaluateAll(
  patches: (pair: Pair) => Promise<EvalPatches>,
  policy?: EvaluationPolicy,
  only: (pair: Pair) => boolean = () => true,
): Promise<[Pair, EvalRecord][]> {
  const pairs = tasks.flatMap((t) => taskPairs(t)).filter(only)
  const records: EvalRecord[] = []
  await pLimit(3).map(pairs, async (pair, i) => {
    records[i] = await evaluator.evaluate(evalInput(backend, pair.task, pair.features, await patches(pair), policy === undefined ? {} : { policy }))
  })
  return pairs.map((p, i) => [p, records[i]!])
}

describe.skipIf(!hasBwrap)(titled('demo dataset: gold patches through the evaluator (local backend)'), () => {
  it('has runnable demo tasks with pairs, some conflicting and some clean', () => {
    expect(tasks.length).toBeGreaterThan(0)
    expect([...gitSays.values()]).toContain(true)
    expect([...gitSays.values()]).toContain(false)
  })

  it('the committed verdicts list exactly the pairs of the demo dataset, merging as plain git says', () => {
    const expected = expectedVerdicts()
    expect(Object.keys(expected).sort(), STALE).toEqual(
      tasks
        .flatMap((t) => taskPairs(t))
        .map(label)
        .sort(),
    )
    for (const [key, conflict] of gitSays)
      expect(expected[key]!['coop@cooperbench-0.0.14']?.merge?.status, `${key}: ${STALE}`).toBe(conflict ? 'conflicts' : 'clean')
  })

  it('coop, every gold pair: both applied; merge status as git merge says; union used for conflicts', async () => {
    const records = await evaluateAll(async ({ task, features: [a, b] }) => coop(await goldPatch(task, a!), await goldPatch(task, b!)))
    for (const [pair, r] of records) {
      const conflict = gitSays.get(label(pair))!
      expect(r.error, label(pair)).toBeNull()
      expect(r.apply_status, label(pair)).toEqual({ agent1: 'applied', agent2: 'applied' })
      expect(r.merge, label(pair)).toMatchObject(conflict ? { status: 'conflicts', strategy: 'union' } : { status: 'clean', strategy: 'naive' })
      expect(r.merge!.diff.startsWith('diff --git '), label(pair)).toBe(true)
      expect(r.merge!.diff.length).toBeLessThanOrEqual(5000)
      expect(r.patch_filter).toEqual({ agent1: [], agent2: [] })
      expect(r.base_commit).toBe(pair.task.source.baseCommit)
      expect([r.feature1.feature_id, r.feature2.feature_id]).toEqual(pair.features)
      for (const f of [r.feature1, r.feature2]) {
        expect(f.test_output.startsWith(`Reset to base: ${pair.task.source.baseCommit}\n`), label(pair)).toBe(true)
        expect(f.passed).toBe(f.exit_code === 0 && f.tests_passed > 0)
      }
      // Two gold patches that merge cleanly implement both features.
      if (!conflict) expect(r.both_passed, label(pair)).toBe(true)
      expect(verdictOf(r), `${label(pair)}: ${STALE}`).toEqual(expectedVerdict(label(pair), 'coop', 'cooperbench-0.0.14'))
    }
  }, 600_000)

  it("coop under cooperbench-0.0.16, every gold pair: conflicts are judged by agent1 alone, never a union; agent1's gold patch alone passes its own feature's tests and not the other's; the committed verdicts agree", async () => {
    // A pair that merges cleanly takes the same naive merge and test runs under both policies (the
    // evaluator's policy tests cover that path): its committed verdict must be 0.0.14's, evaluated above.
    // The pairs that conflict, where the policies differ, are evaluated again.
    const conflicting = (pair: Pair) => gitSays.get(label(pair)) === true
    for (const [key, conflict] of gitSays) {
      if (!conflict) expect(expectedVerdicts()[key]!.coop, `${key}: ${STALE}`).toEqual(expectedVerdict(key, 'coop', 'cooperbench-0.0.14'))
    }
    const records = await evaluateAll(
      async ({ task, features: [a, b] }) => coop(await goldPatch(task, a!), await goldPatch(task, b!)),
      'cooperbench-0.0.16',
      conflicting,
    )
    expect(records.length).toBe([...gitSays.values()].filter(Boolean).length)
    expect(new Set(records.map(([pair]) => pair.task)).size, 'tasks with a conflicting pair').toBe(tasks.length)
    for (const [pair, r] of records) {
      const conflict = gitSays.get(label(pair))!
      expect(r.error, label(pair)).toBeNull()
      expect(r.policy).toBe('cooperbench-0.0.16')
      // Gold patches implement one feature each: agent1's alone never passes the other's tests.
      expect(r.merge, label(pair)).toMatchObject(conflict ? { status: 'conflicts', strategy: 'naive' } : { status: 'clean', strategy: 'naive' })
      if (conflict) {
        expect([r.feature1.passed, r.feature2.passed, r.both_passed], label(pair)).toEqual([false, false, false])
        // What was tested is agent1's gold patch alone: its own feature's tests pass (the verdict says
        // fail only by the rule), the other feature's do not. Every task has a conflicting pair, so
        // this is each task's gold patches alone, on the test runs these evaluations make anyway.
        expect(r.feature1, label(pair)).toMatchObject({ exit_code: 0, tests_failed: 0 })
        expect(r.feature1.tests_passed, label(pair)).toBeGreaterThan(0)
        expect(r.feature2.exit_code, label(pair)).not.toBe(0)
      } else expect(r.both_passed, label(pair)).toBe(true)
      expect(verdictOf(r), `${label(pair)}: ${STALE}`).toEqual(expectedVerdict(label(pair), 'coop', 'cooperbench-0.0.16'))
    }
  }, 600_000)

  it('solo: both gold patches in one patch (combined.patch when they do not apply together) pass both features', async () => {
    const combined = (pair: Pair): boolean => !concatenationApplies.get(label(pair))
    // Two gold patches that merge cleanly and, one after the other, make the tree the merge makes:
    // the solo test runs are the ones coop's clean merge ran above, so the committed solo verdict
    // must have its coop@cooperbench-0.0.14 verdict's features. The first such pair is still
    // evaluated solo (a patch with two sections of one file), as is every pair not of them.
    const [, ...sameAsMerge] = concatenationIsMerge
    expect(sameAsMerge.length, 'clean pairs whose solo runs are their merge runs').toBeGreaterThan(0)
    for (const key of sameAsMerge) {
      const merged = expectedVerdict(key, 'coop', 'cooperbench-0.0.14')!
      expect(expectedVerdicts()[key]!.solo, `${key}: ${STALE}`).toEqual({
        merge: null,
        feature1: merged.feature1,
        feature2: merged.feature2,
        both_passed: merged.both_passed,
        error: null,
      })
    }
    const records = await evaluateAll(
      async (pair) => {
        const [a, b] = pair.features as [number, number]
        return solo(
          combined(pair) ? await readFile(join(pair.task.dir, 'combined.patch'), 'utf8') : (await goldPatch(pair.task, a)) + (await goldPatch(pair.task, b)),
        )
      },
      undefined,
      (pair) => !sameAsMerge.includes(label(pair)),
    )
    expect(records.length + sameAsMerge.length).toBe(gitSays.size)
    for (const [pair, r] of records) {
      expect(r.error, label(pair)).toBeNull()
      expect(r.merge).toBeNull()
      expect(r.apply_status).toBeUndefined()
      expect(r.feature1, label(pair)).toMatchObject({ feature_id: pair.features[0], passed: true, exit_code: 0 })
      expect(r.feature2, label(pair)).toMatchObject({ feature_id: pair.features[1], passed: true, exit_code: 0 })
      expect(r.both_passed).toBe(true)
      // combined.patch carries the tests of every feature: the filter drops them.
      if (combined(pair)) expect(r.patch_filter!.solo!.length).toBeGreaterThan(0)
      expect(verdictOf(r), `${label(pair)}: ${STALE}`).toEqual(expectedVerdicts()[label(pair)]!.solo)
    }
  }, 600_000)

  it('the gold conflict check agrees with plain git merge, in discovery order', async () => {
    const pairs = tasks.flatMap((t) => taskPairs(t))
    const seen: GoldConflictResult[] = []
    const report = await checkGoldConflicts({
      pairs,
      createSandbox: (task) => backend.createSandbox({ task, image: 'unused-by-local', role: 'conflicts', labels: {} }),
      concurrency: 3,
      onResult: (r) => seen.push(r),
    })
    expect(seen).toHaveLength(pairs.length)
    expect(report.all_results.map((r) => `${r.repo}/${r.task_id}/${r.f1},${r.f2}`)).toEqual(pairs.map(label))
    for (const r of report.all_results) {
      const key = `${r.repo}/${r.task_id}/${r.f1},${r.f2}`
      expect(r, key).toMatchObject({ has_conflict: gitSays.get(key), patch1_apply_failed: false, patch2_apply_failed: false, error: null })
    }
    const conflicts = [...gitSays.values()].filter(Boolean).length
    expect(report.summary).toMatchObject({
      total_pairs: pairs.length,
      conflicts,
      clean_merges: pairs.length - conflicts,
      errors: 0,
      apply_failed: 0,
      conflict_rate: `${((conflicts / pairs.length) * 100).toFixed(1)}%`,
    })
    expect(typeof report.summary.elapsed_seconds).toBe('number')
    for (const task of tasks) {
      const n = taskPairs(task).length
      expect(report.per_task[`${task.repo}/task${task.taskId}`]).toMatchObject({ total: n, errors: 0, apply_failed: 0 })
    }
    expect(report.conflict_pairs).toHaveLength(conflicts)
  }, 300_000)
})
