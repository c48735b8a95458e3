/**
 * Test runs of one pair at the same time, each in a sandbox of its own (idle cores granted through
 * `testRunSlots`), must give the verdicts the sequential runs in one sandbox give, byte for byte.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setTimeout as sleep } from 'node:timers/promises'
import { type EvalInput, type EvalRecord, type Pair, type Sandbox, SANDBOX_RUNNER_PATH, type Task } from '@cooperbench/core'
import { createDefaultEvaluator } from '@cooperbench/evaluator-default'
import { taskPairs } from '@cooperbench/dataset'
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

/**
 * Evaluates with the given slots, counting the sandboxes the evaluation creates and the test runs
 * each ran. With `waitForLane`, the main sandbox's first test run waits (up to 60 s) until a second
 * sandbox starts one: extra sandboxes start only once tests outlast a sandbox's creation, and the
 * demo's tests are quick, so without the wait the main sandbox could take every feature itself.
 */
async function evaluateCounting(
  input: EvalInput,
  testRunSlots: EvalInput['testRunSlots'],
  waitForLane = false,
): Promise<{ record: EvalRecord; sandboxes: number; testRuns: number[] }> {
  const testRuns: number[] = []
  let laneStarted!: () => void
  const laneRunning = new Promise<void>((resolve) => (laneStarted = resolve))
  const record = await evaluator.evaluate({
    ...input,
    ...(testRunSlots ? { testRunSlots } : {}),
    createSandbox: async () => {
      const index = testRuns.push(0) - 1
      const sandbox = await input.createSandbox()
      const exec: Sandbox['exec'] = async (command, options) => {
        if (typeof command === 'string' && command.includes(SANDBOX_RUNNER_PATH)) {
          testRuns[index]!++
          if (index > 0) laneStarted()
          else if (waitForLane && testRuns[0] === 1) await Promise.race([laneRunning, sleep(60_000)])
        }
        return sandbox.exec(command, options)
      }
      return {
        id: sandbox.id,
        exec,
        writeFile: (path, data) => sandbox.writeFile(path, data),
        ...(sandbox.writeFiles ? { writeFiles: (files: ReadonlyMap<string, string | Uint8Array>) => sandbox.writeFiles!(files) } : {}),
        readFile: (path) => sandbox.readFile(path),
        terminate: () => sandbox.terminate(),
      }
    },
  })
  return { record, sandboxes: testRuns.length, testRuns }
}

/**
 * A task of each repository (each has its own runner and tests), its first pair: textkit's task 12,
 * whose pair merges cleanly, and two whose pairs conflict (union merges, passes and fails).
 */
const SAMPLE_TASKS = ['confkit_task/0', 'routekit_task/8', 'textkit_task/12']
function samplePairs(): Pair[] {
  return tasks.filter((task) => SAMPLE_TASKS.includes(`${task.repo}/${task.taskId}`)).map((task) => taskPairs(task)[0]!)
}

describe.skipIf(!hasBwrap)(titled('parallel test runs on the demo dataset (local backend)'), () => {
  it('coop, gold and crossed patches: the same verdicts sequentially and with a sandbox per test run', async () => {
    const pairs = samplePairs()
    expect(pairs).toHaveLength(SAMPLE_TASKS.length)
    const merges = new Set<string>()
    for (const [i, pair] of pairs.entries()) {
      const [a, b] = pair.features as [number, number]
      // Gold patches on each sampled pair; the second agent's patch missing on the first of them
      // (each parallel evaluation waits out a sandbox creation before its lane starts).
      const gold = coop(await goldPatch(pair.task, a), await goldPatch(pair.task, b))
      for (const patches of i < 1 ? [gold, coop(await goldPatch(pair.task, a), '')] : [gold]) {
        const input = evalInput(backend, pair.task, pair.features, patches)
        const sequential = await evaluateCounting(input, undefined)
        const parallel = await evaluateCounting(input, new TestRunSlots(8, null), true)
        expect(sequential.sandboxes).toBe(1)
        expect(parallel.testRuns, 'test runs per sandbox').toEqual([1, 1])
        expect(parallel.record.timings).toMatchObject({ feature1: expect.any(Number), feature2: expect.any(Number), remove: expect.any(Number) })
        expect(verdictOf(parallel.record), `${pair.task.repo}/${pair.task.taskId} ${pair.features}`).toBe(verdictOf(sequential.record))
        if (patches === gold) merges.add(sequential.record.merge!.status)
      }
    }
    expect([...merges].sort(), 'merge outcomes of the gold pairs').toEqual(['clean', 'conflicts'])
  }, 600_000)

  it('solo: the same verdicts with a sandbox per test run', async () => {
    const [pair] = samplePairs()
    const [a, b] = pair!.features as [number, number]
    const input = evalInput(backend, pair!.task, pair!.features, solo((await goldPatch(pair!.task, a)) + (await goldPatch(pair!.task, b))))
    const sequential = await evaluateCounting(input, undefined)
    const parallel = await evaluateCounting(input, new TestRunSlots(8, null), true)
    expect(parallel.testRuns, 'test runs per sandbox').toEqual([1, 1])
    expect(verdictOf(parallel.record)).toBe(verdictOf(sequential.record))
  }, 300_000)

  it('keeps to the one sandbox while its tests have run less long than a sandbox takes to create, idle cores or not', async () => {
    const [pair] = samplePairs()
    const [a, b] = pair!.features as [number, number]
    const input = evalInput(backend, pair!.task, pair!.features, coop(await goldPatch(pair!.task, a), await goldPatch(pair!.task, b)))
    // Every sandbox takes 4 s to create here; each demo test run takes a fraction of that on a
    // calm machine, so both run in the one sandbox. On a loaded one they may outlast the 4 s:
    // then a lane may start, but never sooner. The rule is checked, not a race against the clock.
    const calls: number[] = []
    let mainReady = Number.POSITIVE_INFINITY
    const slow = {
      ...input,
      createSandbox: async () => {
        const call = calls.push(Date.now()) - 1
        await sleep(4_000)
        const sandbox = await input.createSandbox()
        if (call === 0) mainReady = Date.now()
        return sandbox
      },
    }
    const { record, testRuns } = await evaluateCounting(slow, new TestRunSlots(8, null))
    // 10 ms short of 4 s: Node's timers and Date.now() each round to the millisecond.
    for (const laneCall of calls.slice(1)) expect(laneCall - mainReady, 'a lane started before a creation time had passed').toBeGreaterThanOrEqual(3_990)
    // No lane started: both test runs in the one sandbox, no second sandbox created (or waited for).
    if (calls.length === 1) expect(testRuns).toEqual([2])
    // A lane that started took what was left: each feature's tests ran once, in one sandbox or the other.
    else expect(testRuns.reduce((sum, runs) => sum + runs, 0)).toBe(2)
    expect(verdictOf(record)).toBe(verdictOf((await evaluateCounting(input, undefined)).record))
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
