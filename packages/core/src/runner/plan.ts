import type { AgentLimits, ImageLayer, SandboxSpec, SettingShape } from '@cooperbench/spec'
import type { ResolvedConfig } from '@cooperbench/config'

/** The settings a plan takes from the resolved configuration as they are (declared once, in `config/declaration.ts`). */
export const PLAN_CONFIG_KEYS = [
  'logDir',
  'datasetDir',
  'setting',
  'agent',
  'modelName',
  'modelBaseUrl',
  'backend',
  'bus',
  'evaluator',
  'policy',
  'concurrency',
  'evalConcurrency',
  'messagingEnabled',
  'gitEnabled',
  'pairSize',
  'autoEval',
] as const satisfies readonly (keyof ResolvedConfig)[]

/** The part of a plan that is the resolved configuration's settings as they are. */
export type PlanSettings = Pick<ResolvedConfig, (typeof PLAN_CONFIG_KEYS)[number]>

/** The resolved settings ({@link PLAN_CONFIG_KEYS}) plus what `planRun` derives: run name, options, limits, images, fingerprint. */
export interface RunPlan extends PlanSettings {
  runName: string
  /** Where the agent's prompts come from (its registration's `promptSource`, else `cooperbench-v1`); recorded as `prompt_source`. Optional for plans built before it. */
  promptSource?: string
  /** The model the records carry: null for an agent that calls none (`usesModel: false`); absent: `modelName` (always `ctx.model`). */
  recordedModel?: string | null
  /** The setting's options (`settings.<name>`, its flags and variables), validated by its schema. */
  settingOptions: Record<string, unknown>
  /** How the setting uses the harness with these options (`Setting.shape`). */
  settingShape: SettingShape
  /** Whether the setting's pairs are judged by merging (the policy applies), from `Setting.judged`. */
  judgedByMerge: boolean
  /** Where each of the setting's options came from, as messages name it; absent for a plan built by hand. */
  settingOptionSource?: (key: string) => string
  /** The evaluator's options (`evaluators.<name>`). */
  evaluatorOptions: Record<string, unknown>
  force: boolean
  testTimeoutMs: number
  /** Whole-agent wall-clock limit; null = none. */
  agentTimeoutMs: number | null
  agentOptions: Record<string, unknown>
  /** The limits each agent enforces (`ctx.limits`), decided by `planRun`. */
  agentLimits: AgentLimits
  /** The run's agent resumes conversations (its registration's `continues`). */
  agentContinues?: boolean
  /** What the run's agent sets up in each sandbox, as a layer (its registration's `setupLayer`). Absent: none. */
  agentSetupLayer?: ImageLayer | null
  /** Its registration's `briefingOnly`: a setting gives its seats only their briefing. */
  agentBriefingOnly?: boolean
  /** The seat roles given their own agent or model (`seats.<role>`); every other seat runs the run's. Absent: none. */
  seats?: Record<string, SeatPlan>
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

/** The agent one seat runs: the run's, or its role's own (`seats.<role>`), each as the run's is planned. */
export interface SeatPlan {
  agent: string
  agentOptions: Record<string, unknown>
  /** The model it calls (`ctx.model`). */
  modelName: string
  /** The model its records carry: null for an agent that calls none. */
  recordedModel: string | null
  promptSource: string
  agentLimits: AgentLimits
  /** Its registration's `continues`: a seat carried into a later phase resumes its conversation. */
  continues?: boolean
  /** What its agent sets up in each sandbox, as a layer (its registration's `setupLayer`). Absent: none. */
  setupLayer?: ImageLayer | null
  /** Its registration's `briefingOnly`: the seat's coordination is its briefing alone. */
  briefingOnly?: boolean
}

/** The agent of a seat of `role`: its role's own when `seats.<role>` names one, else the run's. */
export function seatPlanOf(plan: RunPlan, role: string | undefined): SeatPlan {
  const own = role === undefined ? undefined : plan.seats?.[role]
  if (own) return own
  const { agent, agentOptions, modelName, agentLimits, agentContinues, agentSetupLayer = null, promptSource = 'cooperbench-v1' } = plan
  const continues = agentContinues === true
  const briefingOnly = plan.agentBriefingOnly === true
  return {
    agent,
    agentOptions,
    modelName,
    recordedModel: recordedModelOf(plan),
    promptSource,
    agentLimits,
    continues,
    setupLayer: agentSetupLayer,
    briefingOnly,
  }
}

/** What evaluating and naming sandboxes needs of a plan; `eval` has only this much. */
export type EvalPlan = Pick<RunPlan, 'runName' | 'logDir' | 'imageTemplate' | 'imageNamespace' | 'imageLayer' | 'testTimeoutMs'> &
  Partial<Pick<RunPlan, 'policy'>> & {
    /** The file each verdict goes to: eval.json, or `eval.<policy>.json` when re-scoring under another policy. */
    evalFile?: string
  }

/** The run's image naming as backends get it (`FactoryContext.images`): the one owner of image names. */
export function imageNaming(plan: Pick<RunPlan, 'imageTemplate' | 'imageNamespace'>) {
  return { template: plan.imageTemplate, namespace: plan.imageNamespace }
}

/** The model a run's records carry: null for an agent that calls no model. */
export function recordedModelOf(plan: Pick<RunPlan, 'modelName' | 'recordedModel'>): string | null {
  return plan.recordedModel === undefined ? plan.modelName : plan.recordedModel
}
