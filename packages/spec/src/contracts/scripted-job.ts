import type { Task } from './task.js'

/**
 * Work that runs in a fresh sandbox of a task with no harness attached: files written first,
 * then a fixed list of scripts, each with its own time limit, and a few files read back at the
 * end. Batch platforms (GCP Batch) take many such jobs at once; the harness turns each result
 * back into what the sandbox would have answered (see `RecordedRunSandbox`), so the evaluator
 * that planned the job decides the verdict exactly as it does with a live sandbox.
 */
export interface ScriptedJob {
  /** Unique within one call; results are reported under it. */
  key: string
  task: Task
  /** Image name by the configured template, as in `SandboxSpec.image`. */
  image: string
  labels: Record<string, string>
  /** Absolute sandbox path → exact bytes, written before the first step. */
  files: ReadonlyMap<string, Uint8Array>
  steps: ScriptedStep[]
  /** Sandbox files whose first `bytes` come back after the last step (when they exist). */
  keep: Array<{ path: string; bytes: number }>
}

/**
 * One script, run like `Sandbox.exec(script, { timeoutMs })`: a login shell in the repository,
 * stdout and stderr captured together, killed with its process group at the limit.
 */
export interface ScriptedStep {
  /**
   * The script. `markerPlaceholder(key)` stands for the value an earlier step printed as the
   * marker line `::cb:: key=value` (the last one; values are limited to `[A-Za-z0-9._/-]`).
   */
  script: string
  timeoutMs: number
  /** Runs only when an earlier step printed exactly this marker line body (`setup=done`). */
  when?: string
}

/** What an evaluator runs in the sandbox, as data (`Evaluator.plan`): the part of a job it decides. */
export type EvaluationJob = Pick<ScriptedJob, 'files' | 'steps' | 'keep'>

/** What one step did; absent from the result when it did not run (`when` unmet). */
export interface ScriptedStepResult {
  /** The script as it ran, placeholders filled in. */
  script: string
  /** The first bytes of the combined output, up to the backend's output cap. */
  output: Uint8Array
  /** Output bytes past the cap, dropped. */
  omittedBytes: number
  exitCode: number
  timedOut: boolean
  durationMs: number
}

export interface ScriptedJobResult {
  steps: ScriptedStepResult[]
  /** `keep` path → its first bytes, for the kept files that existed. */
  kept: ReadonlyMap<string, Uint8Array>
}

/** A job's outcome: its result, or why the platform could not run it (after its own retries). */
export type ScriptedJobOutcome = { result: ScriptedJobResult } | { error: string }

export interface RunScriptedJobsOptions {
  signal: AbortSignal
  /** Called once per job as it finishes, in any order; awaited before the job counts as done. */
  onOutcome(key: string, outcome: ScriptedJobOutcome): Promise<void>
  /** Progress as the platform reports it: jobs per state (`pending`, `running`, `succeeded`, …). */
  onProgress?(counts: Record<string, number>): void
}

/**
 * An optional backend capability: run many scripted jobs on a batch platform. A backend that has
 * it is used for `cooperbench eval` by evaluators that can plan a job (`Evaluator.plan`).
 */
export interface ScriptedJobRunner {
  runScriptedJobs(jobs: ScriptedJob[], options: RunScriptedJobsOptions): Promise<void>
}

const PLACEHOLDER_KEY = /^[a-z][a-z0-9_]*$/

/** The placeholder for the last value of marker `key` printed by an earlier step. */
export function markerPlaceholder(key: string): string {
  if (!PLACEHOLDER_KEY.test(key)) throw new Error(`marker key "${key}" must match ${PLACEHOLDER_KEY}`)
  return `@@cb:${key}@@`
}

/** Whether a backend offers {@link ScriptedJobRunner}. */
export function isScriptedJobRunner(backend: object): backend is ScriptedJobRunner {
  return typeof (backend as Partial<ScriptedJobRunner>).runScriptedJobs === 'function'
}
