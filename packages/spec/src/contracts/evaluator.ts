import type { EvaluationPolicy } from './evaluation-policy.js'
import type { EvalRecord } from './records.js'
import type { Sandbox } from './sandbox.js'
import type { EvaluationJob } from './scripted-job.js'
import type { SettingName, Task } from './task.js'

/** The patches judged, by their setting's rule (`Setting.judged`). */
export type EvalPatches =
  | {
      /** Merged under the policy, then every feature's tests run on the merge. */
      rule: 'merge'
      /** One patch per feature, in feature order: `agents[0]` implemented `features[0]`. */
      agents: string[]
    }
  | {
      /** One patch tested against every feature. */
      rule: 'single'
      patch: string
      /** Its file's name in the pair folder (`sequential.patch`), which it is staged and reported under; absent: `solo.patch`. */
      file?: string
    }

export interface EvalInput {
  task: Task
  /** Ascending; features[0] is feature1. Two by default, N for a pair of N features. */
  features: number[]
  /** The pair's setting, recorded as the record's `setting`. */
  setting: SettingName
  patches: EvalPatches
  /** A fresh sandbox of the task; the evaluator terminates it when done. */
  createSandbox(): Promise<Sandbox>
  /** Budget of one test run; on expiry the run is killed and the feature fails. */
  testTimeoutMs: number
  /**
   * Optional: idle cores to use. Each slot granted runs one more test at once in a sandbox of its own, staged as the first (call the
   * release when done); null or absent: runs go one after another in one sandbox. Verdicts must not differ.
   */
  testRunSlots?: { tryAcquire(): (() => void) | null }
  /** How merged patches are judged; absent: `DEFAULT_EVALUATION_POLICY`. Recorded in the record's `policy`. */
  policy?: EvaluationPolicy
}

export interface Evaluator {
  readonly specificationVersion: 'evaluator-v1'
  readonly name: string
  evaluate(input: EvalInput, signal?: AbortSignal): Promise<EvalRecord>
  /**
   * Optional: the evaluation as a scripted job for batch backends (`ScriptedJobRunner`); `evaluate` then gets a sandbox answering from
   * the job's result, so must ask for exactly the files and scripts planned (else the pair fails). A record instead: fails with no sandbox.
   */
  plan?(input: Omit<EvalInput, 'createSandbox'>): Promise<{ job: EvaluationJob } | { record: EvalRecord }>
}
