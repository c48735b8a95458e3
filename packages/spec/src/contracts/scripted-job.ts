import type { Task } from './task.js'

/**
 * Work in a fresh task sandbox with no harness attached: files written, a fixed list of scripts (each with its time limit), a few files
 * read back. Batch platforms (GCP Batch) take many at once; the harness replays each result as the sandbox's answers
 * (`RecordedRunSandbox`), so the planning evaluator decides the verdict exactly as with a live sandbox.
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

/** One script, run like `Sandbox.exec(script, { timeoutMs })`: a login shell in the repo, output combined, process group killed at the limit. */
export interface ScriptedStep {
  /** `markerPlaceholder(key)` in it stands for the last value an earlier step printed as the line `::cb:: key=value` (values `[A-Za-z0-9._/-]`). */
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

/** An optional backend capability: many scripted jobs on a batch platform, used by `cooperbench eval` when the evaluator can `plan` a job. */
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
