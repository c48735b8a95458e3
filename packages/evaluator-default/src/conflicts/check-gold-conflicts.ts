import { join } from 'node:path'
import pMap from 'p-map'
import { SANDBOX_PATCHES_DIR, type Sandbox, type Pair, type Task, errorMessage } from '@cooperbench/spec'
import { getOrCreate } from '@cooperbench/spec-utils'
import { filterTestFiles } from '@cooperbench/spec-utils/patch'
import { abortError } from '../evaluator/abort.js'
import { featureDir, readOptionalFile, testsPatchPaths } from '../evaluator/inputs.js'
import { lastMarker, setupDetail } from '../evaluator/markers.js'
import { parseSetupReport, setupPreambleProblem } from '../evaluator/setup-report.js'
import { buildGoldPairScript, goldFile } from './gold-pair-script.js'
import { buildGoldConflictReport, goldConflictResult, type GoldConflictReport, type GoldConflictResult } from './report.js'

export interface CheckGoldConflictsOptions {
  /** In discovery order; the report lists results in this order. */
  pairs: readonly Pair[]
  /** A fresh sandbox of the task (the check terminates it). */
  createSandbox: (task: Task) => Promise<Sandbox>
  /** Pairs checked at once (each in its own sandbox). */
  concurrency: number
  signal?: AbortSignal
  /** Called as each pair finishes (completion order). */
  onResult?: (result: GoldConflictResult) => void
}

/** A git merge of two branches should take seconds; this bounds a hung command. */
const PAIR_TIMEOUT_MS = 10 * 60_000

/**
 * The gold conflict check (docs/reference-compatibility.md#gold-conflicts): do a pair's gold patches conflict under a naive `git
 * merge`? Sandboxes are reused across a task's pairs, always terminated; a failing pair records `error`; an aborted `signal` rejects.
 */
export async function checkGoldConflicts(options: CheckGoldConflictsOptions): Promise<GoldConflictReport> {
  const { pairs, signal } = options
  const started = Date.now()
  const results: (GoldConflictResult | undefined)[] = new Array(pairs.length)
  const pool = new SandboxPool(pairs, options.createSandbox)
  try {
    await pMap(
      pairs,
      async (pair, index) => {
        if (signal?.aborted) return
        const result = await checkPair(pair, pool, signal)
        if (result === null) return
        results[index] = result
        options.onResult?.(result)
      },
      { concurrency: Number.isFinite(options.concurrency) ? Math.max(1, Math.floor(options.concurrency)) : 1 },
    )
  } finally {
    await pool.closeAll()
  }
  if (signal?.aborted === true) throw abortError(signal)
  const done = results.filter((r): r is GoldConflictResult => r !== undefined)
  return buildGoldConflictReport(done, (Date.now() - started) / 1000)
}

/** A sandbox of one task and the base commit its first pair resolved. */
interface HeldSandbox {
  sandbox: Sandbox
  base: string | undefined
}

/** Idle sandboxes per task; one whose pair failed is not reused, and all go once the task's last pair is done. */
class SandboxPool {
  private readonly idle = new Map<string, HeldSandbox[]>()
  private readonly remaining = new Map<string, number>()
  private readonly all = new Set<Sandbox>()

  constructor(
    pairs: readonly Pair[],
    private readonly create: (task: Task) => Promise<Sandbox>,
  ) {
    for (const p of pairs) this.remaining.set(p.task.dir, (this.remaining.get(p.task.dir) ?? 0) + 1)
  }

  async acquire(task: Task): Promise<HeldSandbox> {
    const held = this.idle.get(task.dir)?.pop()
    if (held !== undefined) return held
    const sandbox = await this.create(task)
    this.all.add(sandbox)
    return { sandbox, base: undefined }
  }

  /** Called once per pair, whether or not it got a sandbox. */
  async release(task: Task, held: HeldSandbox | undefined, reusable: boolean): Promise<void> {
    const left = (this.remaining.get(task.dir) ?? 1) - 1
    this.remaining.set(task.dir, left)
    if (held !== undefined) {
      if (reusable && left > 0) getOrCreate(this.idle, task.dir, () => []).push(held)
      else await this.terminate(held.sandbox)
    }
    if (left <= 0) {
      const rest = this.idle.get(task.dir) ?? []
      this.idle.delete(task.dir)
      await Promise.all(rest.map((h) => this.terminate(h.sandbox)))
    }
  }

  async closeAll(): Promise<void> {
    this.idle.clear()
    await Promise.all([...this.all].map((s) => this.terminate(s)))
  }

  private async terminate(sandbox: Sandbox): Promise<void> {
    this.all.delete(sandbox)
    await sandbox.terminate().catch(() => undefined)
  }
}

/** A known failure of one pair; its message becomes the result's `error`. */
class PairFailure extends Error {}

/** Checks one pair; null when the check was aborted. */
async function checkPair(pair: Pair, pool: SandboxPool, signal?: AbortSignal): Promise<GoldConflictResult | null> {
  const features = pair.features
  const head = { repo: pair.task.repo, task_id: pair.task.taskId, features }
  // A function, so that TypeScript does not narrow `aborted` across awaits.
  const aborted = (): boolean => signal?.aborted === true
  let held: HeldSandbox | undefined
  let reusable = false
  try {
    if (features.length < 2) throw new PairFailure(`A pair has at least two features; got [${features.join(', ')}]`)
    const files = await goldFiles(pair.task, features)
    if (aborted()) return null
    held = await pool.acquire(pair.task)
    if (aborted()) return null
    const { sandbox } = held
    await Promise.all(
      [...files].map(([name, bytes]) =>
        sandbox.writeFile(`${SANDBOX_PATCHES_DIR}/${name}`, bytes).catch((error: unknown) => {
          throw new PairFailure(`Failed to write ${name}: ${errorMessage(error)}`)
        }),
      ),
    )
    const run = await sandbox.exec(buildGoldPairScript(held.base, features.length), { timeoutMs: PAIR_TIMEOUT_MS, signal })
    if (aborted()) return null
    const output = run.stdout + run.stderr
    const report = parseSetupReport(output)
    const setupError = (): PairFailure => new PairFailure(`Branch setup failed: ${setupDetail(output, run.timedOut, PAIR_TIMEOUT_MS)}`)
    const problem = setupPreambleProblem(report, files, pair.task.source.baseCommit)
    if (problem === 'not-started') throw setupError()
    if (problem !== null) throw new PairFailure(problem)
    held.base = report.base!
    const merge = lastMarker(report.markers, 'merge')
    const applied = features.map((_, i) => report.apply.get(`agent${i + 1}`))
    if (!report.done || merge === undefined || applied.includes(undefined)) throw setupError()
    reusable = true
    return goldConflictResult(head, {
      has_conflict: merge === 'conflicts',
      // An empty gold patch counts as not applied, as `git apply` of an empty file fails.
      apply_failed: applied.map((a) => a !== 'applied'),
      error: null,
    })
  } catch (error) {
    if (aborted()) return null
    return goldConflictResult(head, { has_conflict: null, apply_failed: null, error: errorMessage(error) })
  } finally {
    await pool.release(pair.task, held, reusable)
  }
}

/** The pair's gold patches, test-filtered against the pair's tests patches, as UTF-8 bytes. */
async function goldFiles(task: Task, features: readonly number[]): Promise<Map<string, Uint8Array>> {
  const tests: { bytes: Uint8Array }[] = []
  for (const id of features) {
    const bytes = await readOptionalFile(join(featureDir(task, id), 'tests.patch'))
    if (bytes !== null) tests.push({ bytes })
  }
  const protectedPaths = testsPatchPaths(tests)
  const files = new Map<string, Uint8Array>()
  for (const [index, id] of features.entries()) {
    const name = goldFile(index + 1)
    const path = join(featureDir(task, id), 'feature.patch')
    const gold = await readOptionalFile(path)
    if (gold === null) throw new PairFailure(`Feature patch not found: ${path}`)
    const { patch } = filterTestFiles(gold.toString('utf8'), protectedPaths)
    files.set(name, new Uint8Array(Buffer.from(patch, 'utf8')))
  }
  return files
}
