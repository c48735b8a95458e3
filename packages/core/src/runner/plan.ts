import type { AgentLimits, SandboxSpec, Setting } from '@cooperbench/spec'

/** Everything one `run` invocation needs to know, resolved from flags, env and config file. */
export interface RunPlan {
  runName: string
  logDir: string
  datasetDir: string
  setting: Setting
  agent: string
  model: string
  /** `--model-base-url`: an OpenAI-compatible server to call the model at; null = the provider's own. */
  modelBaseUrl?: string | null
  backend: string
  bus: string
  /** The evaluator by name, and its options (`evaluators.<name>`). */
  evaluator: string
  evaluatorOptions: Record<string, unknown>
  concurrency: number
  evalConcurrency: number
  messaging: boolean
  git: boolean
  autoEval: boolean
  force: boolean
  testTimeoutMs: number
  /** Whole-agent wall-clock limit; null = none. */
  agentTimeoutMs: number | null
  agentOptions: Record<string, unknown>
  /** The run's limits on each agent (`ctx.limits`); absent = none. */
  agentLimits?: AgentLimits
  backendOptions: Record<string, unknown>
  busOptions: Record<string, unknown>
  imageTemplate: string
  imageNamespace: string
  /** The agent layer the images of `imageTemplate` carry (the template has its suffix); built or missing, never pulled. */
  imageLayer?: SandboxSpec['layer'] | null
  /** Identity of the configuration; a run folder refuses results of another one. */
  fingerprint: { value: Record<string, unknown>; hash: string }
  /** The resolved configuration with secrets removed, stored in config.json. */
  configRecord: Record<string, unknown>
  harnessVersion: string
}

/** The limits of a run that sets none: every agent keeps its own. */
export const NO_RUN_LIMITS: Readonly<AgentLimits> = Object.freeze({ steps: null, costUsd: null, wallClockSeconds: null })

/** What evaluating and naming sandboxes needs of a plan; `eval` has only this much. */
export type EvalPlan = Pick<RunPlan, 'runName' | 'logDir' | 'imageTemplate' | 'imageNamespace' | 'imageLayer' | 'testTimeoutMs'>

export { imageName, layeredImageName } from '@cooperbench/backend-kit'
