/**
 * The gold conflict check (docs/reference-compatibility.md#gold-conflicts) on a fixture task: conflicts, apply failures
 * (counted apart from clean merges), per-pair errors, sandbox reuse and cleanup, interruption.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Pair, Sandbox, Task } from '@cooperbench/core'
import { taskPairs } from '@cooperbench/dataset'
import { checkGoldConflicts } from '@cooperbench/evaluator-default'
import type { LocalBackend } from '@cooperbench/backend-local'
import {
  type FixtureTask,
  cloneAtBase,
  delegatingSandbox,
  diffOf,
  directGoldMerge,
  git,
  goldPatch,
  hasBwrap,
  makeFixtureTask,
  openBackend,
  titled,
} from './support.js'

const CALC = 'def add(a, b):\n    return a + b\n'
const tests = (name: string): Record<string, string> => ({ [`tests/test_${name}.py`]: 'import unittest\n' })

let backend: LocalBackend
let closeBackend: () => Promise<void>
let fx: FixtureTask

beforeAll(async () => {
  if (!hasBwrap) return
  ;({ backend, close: closeBackend } = await openBackend())
  fx = await makeFixtureTask({
    files: { 'calc.py': CALC },
    later: { 'calc.py': CALC.replace('a + b', 'b + a') },
    features: [
      { gold: { 'calc.py': `${CALC}\n\ndef sub(a, b):\n    return a - b\n` }, tests: tests('sub') },
      { gold: { 'mul.py': 'def mul(a, b):\n    return a * b\n' }, tests: tests('mul') },
      { gold: { 'neg.py': 'X = 1\n' }, tests: tests('neg') }, // replaced below by a patch that does not apply
      { gold: { 'calc.py': `${CALC}\n\ndef div(a, b):\n    return a / b\n` }, tests: tests('div') },
    ],
  })
  // Feature 3's gold patch is made against a later commit: it fails at the base, even with --3way.
  git(fx.repo, ['checkout', '--quiet', 'main'])
  const stale = await diffOf(fx.repo, { 'calc.py': CALC.replace('a + b', 'b + a + 0') })
  git(fx.repo, ['checkout', '--quiet', '--detach', fx.baseCommit])
  await writeFile(join(fx.task.dir, 'feature3', 'feature.patch'), stale)
}, 180_000)

afterAll(async () => {
  await closeBackend?.()
  await fx?.cleanup()
})

/** A createSandbox that counts what it made and what was terminated. */
function counting(): { create: (task: Task) => Promise<Sandbox>; created: number; live: Set<string> } {
  const state = {
    created: 0,
    live: new Set<string>(),
    create: async (task: Task): Promise<Sandbox> => {
      const inner = await backend.createSandbox({ task, image: 'unused-by-local', role: 'conflicts', labels: {} })
      state.created++
      state.live.add(inner.id)
      return delegatingSandbox(inner, async () => {
        state.live.delete(inner.id)
        await inner.terminate()
      })
    },
  }
  return state
}

describe.skipIf(!hasBwrap)(titled('gold conflict check on a fixture task (local backend)'), () => {
  it('matches plain git; apply failures are counted apart from clean merges; sandboxes reused and terminated', async () => {
    const pairs = taskPairs(fx.task)
    const expected = new Map<string, ReturnType<typeof directGoldMerge>>()
    const clone = await cloneAtBase(fx.task)
    try {
      for (const p of pairs) {
        const [a, b] = p.features as [number, number]
        expected.set(p.features.join(','), directGoldMerge(clone.dir, fx.baseCommit, await goldPatch(fx.task, a), await goldPatch(fx.task, b)))
      }
    } finally {
      await clone.cleanup()
    }
    const sandboxes = counting()
    const report = await checkGoldConflicts({ pairs, createSandbox: sandboxes.create, concurrency: 2 })

    expect(report.all_results.map((r) => `${r.f1},${r.f2}`)).toEqual(['1,2', '1,3', '1,4', '2,3', '2,4', '3,4'])
    for (const r of report.all_results) {
      const e = expected.get(`${r.f1},${r.f2}`)!
      expect(r, `${r.f1},${r.f2}`).toEqual({
        repo: 'fixture_task',
        task_id: 1,
        f1: r.f1,
        f2: r.f2,
        has_conflict: e.conflict,
        patch1_apply_failed: !e.applied[0],
        patch2_apply_failed: !e.applied[1],
        error: null,
      })
    }
    // 1,4 conflict; 1,3 2,3 3,4 have feature 3's patch failing; 1,2 and 2,4 are clean
    expect(report.summary).toMatchObject({ total_pairs: 6, conflicts: 1, clean_merges: 2, errors: 0, apply_failed: 3, conflict_rate: '16.7%' })
    expect(report.per_task).toEqual({ 'fixture_task/task1': { total: 6, conflicts: 1, clean: 2, errors: 0, apply_failed: 3 } })
    expect(report.conflict_pairs).toEqual([{ repo: 'fixture_task', task_id: 1, f1: 1, f2: 4 }])
    expect(sandboxes.created).toBeLessThanOrEqual(2)
    expect(sandboxes.live.size).toBe(0)
  }, 120_000)

  it('a pair that cannot be checked is an error result; the others go on', async () => {
    const sandboxes = counting()
    const pairs: Pair[] = [
      { task: fx.task, features: [1, 9] },
      { task: fx.task, features: [1, 2] },
    ]
    const report = await checkGoldConflicts({ pairs, createSandbox: sandboxes.create, concurrency: 1 })
    expect(report.all_results[0]).toEqual({
      repo: 'fixture_task',
      task_id: 1,
      f1: 1,
      f2: 9,
      has_conflict: null,
      patch1_apply_failed: null,
      patch2_apply_failed: null,
      error: `Feature patch not found: ${join(fx.task.dir, 'feature9', 'feature.patch')}`,
    })
    expect(report.all_results[1]).toMatchObject({ has_conflict: false, error: null })
    expect(report.summary).toMatchObject({ total_pairs: 2, errors: 1, clean_merges: 1, conflict_rate: '0.0%' })
    expect(sandboxes.live.size).toBe(0)
  })

  it('a sandbox that cannot be created makes error results, not a throw', async () => {
    const report = await checkGoldConflicts({
      pairs: taskPairs(fx.task).slice(0, 2),
      createSandbox: async () => {
        throw new Error('no image')
      },
      concurrency: 2,
    })
    expect(report.all_results.map((r) => r.error)).toEqual(['no image', 'no image'])
    expect(report.summary).toMatchObject({ errors: 2, conflict_rate: '0.0%' })
  })

  it('interrupting rejects with an AbortError and terminates every sandbox', async () => {
    const controller = new AbortController()
    const sandboxes = counting()
    let results = 0
    const check = checkGoldConflicts({
      pairs: taskPairs(fx.task),
      createSandbox: sandboxes.create,
      concurrency: 2,
      signal: controller.signal,
      onResult: () => {
        if (++results === 1) controller.abort()
      },
    })
    await expect(check).rejects.toMatchObject({ name: 'AbortError' })
    expect(results).toBeLessThan(6)
    expect(sandboxes.live.size).toBe(0)
  }, 180_000)
})
