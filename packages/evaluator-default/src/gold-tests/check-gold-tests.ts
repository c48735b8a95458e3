import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import pMap from 'p-map'
import { type EvalRecord, type Evaluator, type FeatureEvalRecord, type Sandbox, type Task, errorMessage } from '@cooperbench/spec'
import { abortError } from '../evaluator/abort.js'

/** One feature's gold tests run on its gold patch. */
export interface GoldTestResult {
  repo: string
  taskId: number
  feature: number
  passed: boolean
  /** Why the feature failed: failing test lines, or the evaluation's error. Null when it passed. */
  problem: string | null
}

export interface CheckGoldTestsOptions {
  tasks: readonly Task[]
  /** The evaluator that proves the gold patches (the default one). */
  evaluator: Evaluator
  /** A fresh sandbox of the task (the evaluator terminates it). */
  createSandbox: (task: Task) => Promise<Sandbox>
  /** Evaluations at once (each in its own sandbox). */
  concurrency: number
  testTimeoutMs: number
  signal?: AbortSignal
  /** Called as each evaluation finishes, with the results of its features not reported before. */
  onResults?: (results: GoldTestResult[]) => void
}

/** Pairs covering every feature once: (1,2), (3,4), …, and (n-1,n) for an odd n; none under two features (validate reports it). */
function goldTestPairs(task: Pick<Task, 'features'>): Array<[number, number]> {
  const ids = task.features.map((f) => f.id)
  const pairs: Array<[number, number]> = []
  for (let i = 0; i + 1 < ids.length; i += 2) pairs.push([ids[i]!, ids[i + 1]!])
  if (ids.length >= 2 && ids.length % 2 === 1) pairs.push([ids[ids.length - 2]!, ids[ids.length - 1]!])
  return pairs
}

/**
 * Proves each feature's gold patch against its tests by solo evaluation: per covering pair, each gold patch alone (relative to the
 * base), only that feature's run counting. An odd task's last feature is checked twice; the first counts.
 */
export async function checkGoldTests(options: CheckGoldTestsOptions): Promise<GoldTestResult[]> {
  const { signal } = options
  const jobs = options.tasks.flatMap((task) => goldTestPairs(task).map((pair) => ({ task, pair })))
  const byFeature = new Map<string, GoldTestResult>()
  await pMap(
    jobs,
    async ({ task, pair }) => {
      if (signal?.aborted) return
      const results = await checkPair(options, task, pair)
      if (signal?.aborted) return
      const fresh = results.filter((r) => !byFeature.has(featureKey(r)))
      for (const r of fresh) byFeature.set(featureKey(r), r)
      options.onResults?.(fresh)
    },
    { concurrency: Math.max(1, Math.floor(options.concurrency)) },
  )
  if (signal?.aborted === true) throw abortError(signal)
  return options.tasks.flatMap((task) =>
    task.features
      .map((f) => byFeature.get(featureKey({ repo: task.repo, taskId: task.taskId, feature: f.id })))
      .filter((r): r is GoldTestResult => r !== undefined),
  )
}

function featureKey(r: Pick<GoldTestResult, 'repo' | 'taskId' | 'feature'>): string {
  return `${r.repo}/${r.taskId}/${r.feature}`
}

async function checkPair(options: CheckGoldTestsOptions, task: Task, pair: [number, number]): Promise<GoldTestResult[]> {
  return Promise.all(
    pair.map(async (id, index) => {
      const alone = await evaluateSolo(options, task, pair, await readGold(task, id))
      if (alone.error !== null) return { repo: task.repo, taskId: task.taskId, feature: id, passed: false, problem: alone.error }
      return featureResult(task, id, alone.record[`feature${index + 1}`])
    }),
  )
}

/** A solo evaluation's record, or why it failed before its tests. */
type Evaluated = { error: string } | { error: null; record: EvalRecord }

async function evaluateSolo(options: CheckGoldTestsOptions, task: Task, pair: [number, number], patch: string): Promise<Evaluated> {
  try {
    const record = await options.evaluator.evaluate(
      {
        task,
        features: pair,
        setting: 'solo',
        patches: { rule: 'single', patch },
        testTimeoutMs: options.testTimeoutMs,
        createSandbox: () => options.createSandbox(task),
      },
      options.signal,
    )
    return record.error === null ? { error: null, record } : { error: record.error }
  } catch (error) {
    if (options.signal?.aborted === true) throw error
    return { error: errorMessage(error) }
  }
}

async function readGold(task: Task, id: number): Promise<string> {
  const feature = task.features.find((f) => f.id === id)
  if (feature === undefined) throw new Error(`task ${task.repo}/task${task.taskId} has no feature ${id}`)
  const text = await readFile(join(feature.dir, 'feature.patch'), 'utf8')
  return text.endsWith('\n') ? text : `${text}\n`
}

function featureResult(task: Task, id: number, run: FeatureEvalRecord | undefined): GoldTestResult {
  const base = { repo: task.repo, taskId: task.taskId, feature: id }
  if (run === undefined) return { ...base, passed: false, problem: 'the evaluation recorded no test run' }
  if (run.passed) return { ...base, passed: true, problem: null }
  const counts = `${run.tests_passed} passed, ${run.tests_failed} failed, exit ${run.exit_code ?? 'none'}`
  return { ...base, passed: false, problem: `its gold patch does not pass its own tests (${counts}):\n${failingLines(run.test_output)}` }
}

const FAILING_LINE = /\b(FAIL(ED)?|ERROR|Error|panic|failed|not ok)\b|✗|×/
const MAX_LINES = 12

/** The lines of a test run that name failures; the run's last lines when none do. */
function failingLines(output: string): string {
  const lines = output.split('\n').filter((line) => line.trim() !== '')
  const failing = lines.filter((line) => FAILING_LINE.test(line))
  const shown = failing.length > 0 ? failing.slice(0, MAX_LINES) : lines.slice(-MAX_LINES)
  return shown.map((line) => `  ${line.length > 200 ? `${line.slice(0, 199)}…` : line}`).join('\n')
}
