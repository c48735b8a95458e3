/**
 * Test runs of one pair at the same time, each in a sandbox of its own (idle cores granted through
 * `testRunSlots`), must give the verdicts the sequential runs in one sandbox give, byte for byte.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDefaultEvaluator, type EvalInput, type EvalRecord, type Pair, type Task } from '@cooperbench/core'
import { taskPairs } from '@cooperbench/core/dataset'
import { TestRunSlots } from '@cooperbench/core/runner'
import type { LocalBackend } from '@cooperbench/backend-local'
import { coop, demoTasks, evalInput, goldPatch, hasBwrap, openBackend, solo, titled } from './support.js'

const evaluator = createDefaultEvaluator()
let backend: LocalBackend
let closeBackend: () => Promise<void>
let tasks: Task[] = []

beforeAll(async () => {
  if (!hasBwrap) return
  ;({ backend, close: closeBackend } = await openBackend())
  tasks = await demoTasks(backend)
}, 120_000)

afterAll(async () => {
  await closeBackend?.()
})

/** The record without what differs between any two runs: when, how long, and durations the test runners print. */
function verdictOf(record: EvalRecord): string {
  const { timings: _timings, evaluated_at: _at, ...verdict } = record as EvalRecord & { evaluated_at?: unknown }
  return JSON.stringify(verdict, (key, value) =>
    key === 'test_output' && typeof value === 'string'
      ? value.replace(/\d+(\.\d+)?\s?(ms|s)\b/g, '<time>').replace(/duration_ms \S+/g, 'duration_ms <time>')
      : value,
  )
}

/** Evaluates with the given slots, counting the sandboxes the evaluation creates. */
async function evaluateCounting(input: EvalInput, testRunSlots: EvalInput['testRunSlots']): Promise<{ record: EvalRecord; sandboxes: number }> {
  let sandboxes = 0
  const record = await evaluator.evaluate({
    ...input,
    ...(testRunSlots ? { testRunSlots } : {}),
    createSandbox: () => {
      sandboxes++
      return input.createSandbox()
    },
  })
  return { record, sandboxes }
}

/** Every demo task's first pair: clean and union merges, passes and fails. */
function samplePairs(): Pair[] {
  return tasks.flatMap((task) => taskPairs(task).slice(0, 1))
}

describe.skipIf(!hasBwrap)(titled('parallel test runs on the demo dataset (local backend)'), () => {
  it('coop, gold and crossed patches: the same verdicts sequentially and with a sandbox per test run', async () => {
    const pairs = samplePairs()
    expect(pairs.length).toBeGreaterThanOrEqual(6)
    for (const pair of pairs) {
      const [a, b] = pair.features as [number, number]
      // Gold patches, and the second agent's patch missing: a pass and a fail per pair at least.
      for (const patches of [coop(await goldPatch(pair.task, a), await goldPatch(pair.task, b)), coop(await goldPatch(pair.task, a), '')]) {
        const input = evalInput(backend, pair.task, pair.features, patches)
        const sequential = await evaluateCounting(input, undefined)
        const parallel = await evaluateCounting(input, new TestRunSlots(8, null))
        expect(sequential.sandboxes).toBe(1)
        expect(parallel.sandboxes).toBe(2)
        expect(parallel.record.timings).toMatchObject({ feature1: expect.any(Number), feature2: expect.any(Number), remove: expect.any(Number) })
        expect(verdictOf(parallel.record), `${pair.task.repo}/${pair.task.taskId} ${pair.features}`).toBe(verdictOf(sequential.record))
      }
    }
  }, 600_000)

  it('solo: the same verdicts with a sandbox per test run', async () => {
    const [pair] = samplePairs()
    const [a, b] = pair!.features as [number, number]
    const input = evalInput(backend, pair!.task, pair!.features, solo((await goldPatch(pair!.task, a)) + (await goldPatch(pair!.task, b))))
    const sequential = await evaluateCounting(input, undefined)
    const parallel = await evaluateCounting(input, new TestRunSlots(8, null))
    expect(parallel.sandboxes).toBe(2)
    expect(verdictOf(parallel.record)).toBe(verdictOf(sequential.record))
  }, 300_000)

  it('falls back to the one sandbox when every core is busy, and gives the slot back when done', async () => {
    const [pair] = samplePairs()
    const [a, b] = pair!.features as [number, number]
    const slots = new TestRunSlots(1, null)
    const own = slots.hold() // this evaluation's own core: none left
    const busy = await evaluateCounting(
      evalInput(backend, pair!.task, pair!.features, coop(await goldPatch(pair!.task, a), await goldPatch(pair!.task, b))),
      slots,
    )
    expect(busy.sandboxes).toBe(1)
    own()
    const idle = new TestRunSlots(2, null)
    const release = idle.hold()
    await evaluateCounting(evalInput(backend, pair!.task, pair!.features, coop(await goldPatch(pair!.task, a), await goldPatch(pair!.task, b))), idle)
    expect(idle.inUse).toBe(1)
    release()
  }, 300_000)
})
