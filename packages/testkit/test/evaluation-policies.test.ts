import { loadDataset } from '@cooperbench/dataset'
import { createDefaultEvaluator } from '@cooperbench/evaluator-default'
import type { EvalRecord, EvaluationPolicy, Task } from '@cooperbench/spec'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFixtureTask, type FixtureTask } from '../src/fixture-task.js'
import { localTestSandboxes } from '../src/local-sandboxes.js'

/**
 * The two evaluation policies on a real repository in the real `local` backend, each pair scored as
 * upstream's `test_merged` scores it (0.0.14: naive, then union; 0.0.16: identical, naive, agent1 alone).
 * Feature 1's test greps for its line (a union merge keeps it); feature 2's wants b.py exactly (a union breaks it).
 */
const sandboxes = localTestSandboxes()

const A2 = 'diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-A = 1\n+A = 2\n'
const A9 = 'diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-A = 1\n+A = 9\n'
const B2 = 'diff --git a/b.py b/b.py\n--- a/b.py\n+++ b/b.py\n@@ -1 +1 @@\n-B = 1\n+B = 2\n'
const B5 = 'diff --git a/b.py b/b.py\n--- a/b.py\n+++ b/b.py\n@@ -1 +1 @@\n-B = 1\n+B = 5\n'
const C2 = 'diff --git a/c.py b/c.py\n--- a/c.py\n+++ b/c.py\n@@ -1 +1 @@\n-C = 1\n+C = 2\n'

const PASS = 'echo "1 passed in 0.01s"'
const FAIL = '{ echo "1 failed in 0.01s"; exit 1; }'

describe.skipIf(sandboxes.skip)(`evaluation policies on the local backend${sandboxes.skip ? ` (${sandboxes.skip})` : ''}`, () => {
  let fixture: FixtureTask
  let task: Task
  const evaluator = createDefaultEvaluator()

  beforeAll(async () => {
    fixture = await createFixtureTask({
      repo: 'policy_task',
      base: { 'a.py': 'A = 1\n', 'b.py': 'B = 1\n', 'c.py': 'C = 1\n' },
      features: [
        { spec: 'A is 2.\n', source: { 'a.py': 'A = 2\n' }, tests: { 'tests/t1.sh': `grep -qx "A = 2" a.py && ${PASS} || ${FAIL}\n` } },
        { spec: 'B is 2.\n', source: { 'b.py': 'B = 2\n' }, tests: { 'tests/t2.sh': `[ "$(cat b.py)" = "B = 2" ] && ${PASS} || ${FAIL}\n` } },
        { spec: 'C is 2.\n', source: { 'c.py': 'C = 2\n' }, tests: { 'tests/t3.sh': `grep -qx "C = 2" c.py && ${PASS} || ${FAIL}\n` } },
      ],
      testCommand: 'bash -c \'for t in tests/*.sh; do bash "$t" || exit 1; done\'',
    })
    task = (await loadDataset(fixture.datasetDir)).tasks[0]!
  })
  afterAll(async () => {
    await sandboxes.close()
    await fixture?.cleanup()
  })

  const evaluate = (policy: EvaluationPolicy, agents: string[], features = [1, 2]): Promise<EvalRecord> =>
    evaluator.evaluate({
      task,
      features,
      setting: 'coop',
      patches: { rule: 'merge', agents },
      createSandbox: () => sandboxes.create(task),
      testTimeoutMs: 60_000,
      policy,
    })

  const outcome = (r: EvalRecord) => ({
    error: r.error,
    policy: r.policy,
    status: r.merge?.status,
    strategy: r.merge?.strategy,
    passed: [r.feature1.passed, r.feature2.passed],
    both: r.both_passed,
    all: r.all_passed,
  })

  it('a conflicting pair whose agent1 patch passes alone: 0.0.16 passes it as solo-agent1, 0.0.14 fails it after a union', async () => {
    // agent1 did both features; agent2 changed b.py its own way: the naive merge conflicts on b.py.
    const agents = [A2 + B2, B5]
    const v16 = await evaluate('cooperbench-0.0.16', agents)
    expect(outcome(v16)).toEqual({
      error: null,
      policy: 'cooperbench-0.0.16',
      status: 'conflicts',
      strategy: 'solo-agent1',
      passed: [true, true],
      both: true,
      all: true,
    })
    expect(v16.features_result).toEqual({
      '1': expect.objectContaining({ feature_id: 1, passed: true }),
      '2': expect.objectContaining({ feature_id: 2, passed: true }),
    })
    expect(v16.merge?.diff).toBe(A2 + B2)
    const v14 = await evaluate('cooperbench-0.0.14', agents)
    // The union keeps both lines of b.py: feature 2's exact check fails.
    expect(outcome(v14)).toEqual({
      error: null,
      policy: 'cooperbench-0.0.14',
      status: 'conflicts',
      strategy: 'union',
      passed: [true, false],
      both: false,
      all: false,
    })
  })

  it('a conflicting pair whose agent1 patch fails alone: 0.0.16 fails every feature, 0.0.14 passes it through the union', async () => {
    // agent1 did feature 1 only; agent2 did feature 2 and also rewrote a.py: the merge conflicts on a.py.
    const agents = [A2, B2 + A9]
    const v16 = await evaluate('cooperbench-0.0.16', agents)
    expect(outcome(v16)).toEqual({
      error: null,
      policy: 'cooperbench-0.0.16',
      status: 'conflicts',
      strategy: 'naive',
      passed: [false, false],
      both: false,
      all: false,
    })
    // Feature 1 passed with agent1's patch alone, but the lead's patch counts only if it passes everything.
    expect(v16.feature1.exit_code).toBe(0)
    expect(v16.feature1.test_output).toContain('under cooperbench-0.0.16 every feature fails')
    const v14 = await evaluate('cooperbench-0.0.14', agents)
    // The union keeps `A = 2` and `A = 9` (feature 1's grep finds its line) and b.py is agent2's alone.
    expect(outcome(v14)).toEqual({
      error: null,
      policy: 'cooperbench-0.0.14',
      status: 'conflicts',
      strategy: 'union',
      passed: [true, true],
      both: true,
      all: true,
    })
  })

  it('identical patches: 0.0.16 tests them once without a merge, 0.0.14 merges them naively', async () => {
    const agents = [A2 + B2, A2 + B2]
    const v16 = await evaluate('cooperbench-0.0.16', agents)
    expect(outcome(v16)).toEqual({
      error: null,
      policy: 'cooperbench-0.0.16',
      status: 'identical',
      strategy: 'skip-merge-identical',
      passed: [true, true],
      both: true,
      all: true,
    })
    expect(v16.apply_status).toEqual({ agent1: 'applied', agent2: 'applied' })
    const v14 = await evaluate('cooperbench-0.0.14', agents)
    expect(outcome(v14)).toMatchObject({ status: 'clean', strategy: 'naive', both: true })
  })

  it('a patch that does not apply: 0.0.16 judges agent1 alone, 0.0.14 tests the merge without it', async () => {
    const broken = 'diff --git a/nope.py b/nope.py\n--- a/nope.py\n+++ b/nope.py\n@@ -1 +1 @@\n-x\n+y\n'
    const v16 = await evaluate('cooperbench-0.0.16', [A2 + B2, broken])
    expect(outcome(v16)).toMatchObject({ status: 'missing_input', strategy: 'solo-agent1', both: true })
    expect(v16.apply_status).toEqual({ agent1: 'applied', agent2: 'failed' })
    const v14 = await evaluate('cooperbench-0.0.14', [A2, broken])
    expect(outcome(v14)).toMatchObject({ status: 'missing_input', strategy: 'naive', passed: [true, false] })
  })

  it('a team of three: 0.0.16 folds every branch into agent1, and falls back to agent1 alone when a fold conflicts', async () => {
    const clean = await evaluate('cooperbench-0.0.16', [A2, B2, C2], [1, 2, 3])
    expect(outcome(clean)).toMatchObject({ status: 'clean', strategy: 'sequential-fold', both: true, all: true })
    expect(Object.keys(clean.features_result ?? {})).toEqual(['1', '2', '3'])
    expect(clean.feature3?.passed).toBe(true)
    // agent3 also changed b.py: folding it into agent1+agent2 conflicts; agent1 did everything, so it passes alone.
    const lead = await evaluate('cooperbench-0.0.16', [A2 + B2 + C2, B2, C2 + B5], [1, 2, 3])
    expect(outcome(lead)).toMatchObject({ status: 'conflicts', strategy: 'solo-agent1', both: true, all: true })
    const v14 = await evaluate('cooperbench-0.0.14', [A2 + B2 + C2, B2, C2 + B5], [1, 2, 3])
    expect(outcome(v14)).toMatchObject({ strategy: 'union', all: false })
  })
})
