/**
 * Upstream's own `test_merged`, run beside ours on the same inputs (docs/reference-compatibility.md#evaluation):
 * its verdicts on ten coop cases of the demo dataset (gold, combined, identical and empty patches)
 * are recorded in upstream-test-merged.json, taken from running upstream's Python (the newest stored
 * `sandbox.py` for cooperbench-0.0.16, the v0.0.14 snapshot's for cooperbench-0.0.14) in Docker on
 * the demo images. Our evaluator must decide every case as upstream did, so CI keeps the claim
 * without Python. Only the verdict fields are recorded, never upstream's code or output.
 */
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EvalRecord, Task } from '@cooperbench/core'
import type { EvaluationPolicy } from '@cooperbench/spec'
import { createDefaultEvaluator } from '@cooperbench/evaluator-default'
import pLimit from 'p-limit'
import type { LocalBackend } from '@cooperbench/backend-local'
import { coop, demoTasks, evalInput, hasBwrap, openBackend, titled } from './support.js'

interface UpstreamVerdict {
  status: string
  strategy: string
  feature1: boolean
  feature2: boolean
  both_passed: boolean
}

interface SideBySideCase {
  id: string
  repo: string
  task: number
  features: [number, number]
  /** `gold:<feature>`, `combined` (the task's combined.patch) or `empty`. */
  agent1: string
  agent2: string
  upstream: Partial<Record<EvaluationPolicy, UpstreamVerdict>>
  /**
   * Set where upstream's verdict differs from ours for a documented reason that is not the policy:
   * upstream's result parser reads no count from node:test's summary, so a passing run fails there.
   * The merge fields must still agree; the feature verdicts (per policy) are ours, as our own docker run gave them.
   */
  parser_divergence?: { reason: string; ours: Partial<Record<EvaluationPolicy, Pick<UpstreamVerdict, 'feature1' | 'feature2' | 'both_passed'>>> }
}

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), 'upstream-test-merged.json')
const evaluator = createDefaultEvaluator()
let backend: LocalBackend
let closeBackend: () => Promise<void>
let tasks: Task[] = []
let cases: SideBySideCase[] = []

beforeAll(async () => {
  cases = (JSON.parse(await readFile(FIXTURE, 'utf8')) as { cases: SideBySideCase[] }).cases
  if (!hasBwrap) return
  ;({ backend, close: closeBackend } = await openBackend())
  tasks = await demoTasks(backend)
})

afterAll(async () => {
  await closeBackend?.()
})

async function patchOf(task: Task, spec: string): Promise<string> {
  if (spec === 'empty') return ''
  if (spec === 'combined') return readFile(join(task.dir, 'combined.patch'), 'utf8')
  const gold = /^gold:(\d+)$/.exec(spec)
  if (!gold) throw new Error(`unknown patch ${spec}`)
  return readFile(join(task.dir, `feature${gold[1]}`, 'feature.patch'), 'utf8')
}

async function evaluateAll(policy: EvaluationPolicy): Promise<[SideBySideCase, EvalRecord][]> {
  const chosen = cases.filter((c) => c.upstream[policy] !== undefined)
  const records: EvalRecord[] = []
  await pLimit(3).map(chosen, async (c, i) => {
    const task = tasks.find((t) => t.repo === c.repo && t.taskId === c.task)
    if (!task) throw new Error(`${c.id}: ${c.repo}/task${c.task} is not a runnable demo task`)
    const patches = coop(await patchOf(task, c.agent1), await patchOf(task, c.agent2))
    records[i] = await evaluator.evaluate(evalInput(backend, task, c.features, patches, { policy }))
  })
  return chosen.map((c, i) => [c, records[i]!])
}

describe.skipIf(!hasBwrap)(titled("upstream's test_merged beside ours: the recorded verdicts (local backend)"), () => {
  it('covers a clean pair, a conflicting pair, identical patches and a conflict that agent1 alone passes', () => {
    const v16 = cases.map((c) => c.upstream['cooperbench-0.0.16']).filter((v) => v !== undefined)
    expect(v16.map((v) => `${v.status}/${v.strategy}`)).toEqual(
      expect.arrayContaining(['clean/naive', 'conflicts/naive', 'identical/skip-merge-identical', 'conflicts/solo-agent1']),
    )
  })

  for (const policy of ['cooperbench-0.0.16', 'cooperbench-0.0.14'] as const) {
    it(`${policy}: every case is decided as upstream decided it`, async () => {
      for (const [c, r] of await evaluateAll(policy)) {
        const up = c.upstream[policy]!
        expect(r.error, c.id).toBeNull()
        expect(r.policy, c.id).toBe(policy)
        expect({ status: r.merge?.status, strategy: r.merge?.strategy }, c.id).toEqual({ status: up.status, strategy: up.strategy })
        const features = c.parser_divergence?.ours[policy] ?? up
        expect({ feature1: r.feature1.passed, feature2: r.feature2.passed, both_passed: r.both_passed }, c.id).toEqual({
          feature1: features.feature1,
          feature2: features.feature2,
          both_passed: features.both_passed,
        })
      }
    }, 600_000)
  }
})
