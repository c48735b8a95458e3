import type { Setting } from '@cooperbench/spec'

/** Options of one plugin object (an agent, backend, bus or evaluator), validated by its own schema. */
export type PluginOptions = Record<string, unknown>

/** How task images are named (docs/reference-compatibility.md#task-images). */
export interface ImageConfig {
  /** Registry namespace, `akhatua` by default. */
  namespace: string
  /** Placeholders `{namespace}`, `{slug}`, `{repo}`, `{taskId}`. */
  template: string
}

/**
 * What a config file may hold (`schema.json` describes the same shape for editors).
 * Every key is optional; `null` means "not set" where the key allows it.
 */
export interface CooperbenchConfig {
  $schema?: string
  datasetDir?: string
  logDir?: string
  setting?: Setting
  agent?: string
  model?: string
  backend?: string
  bus?: string
  /** The evaluator by name (`default`); options under `evaluators.<name>`. */
  evaluator?: string
  redis?: string | null
  concurrency?: number
  evalConcurrency?: number
  messaging?: boolean
  git?: boolean
  autoEval?: boolean
  subset?: string | null
  repo?: string | null
  task?: number | null
  /** Features (and, in coop, agents) per team: `--agents N`, 2 by default. */
  teamSize?: number
  features?: number[] | null
  name?: string | null
  modelBaseUrl?: string | null
  agentConfig?: string | null
  testTimeoutSeconds?: number
  agentTimeoutSeconds?: number | null
  stepLimit?: number
  costLimit?: number
  image?: Partial<ImageConfig>
  plugins?: string[]
  agents?: Record<string, PluginOptions>
  backends?: Record<string, PluginOptions>
  buses?: Record<string, PluginOptions>
  evaluators?: Record<string, PluginOptions>
}

/**
 * Values from command-line flags. `undefined` means "flag not given" and never overrides
 * a lower layer; the CLI maps `--no-messaging` to `messaging: false`, and so on.
 */
export type ConfigFlags = Omit<CooperbenchConfig, '$schema'>

/** The configuration a run uses: every key present, paths absolute. */
export interface ResolvedConfig {
  datasetDir: string
  logDir: string
  setting: Setting
  agent: string
  model: string
  backend: string
  bus: string
  evaluator: string
  redis: string | null
  concurrency: number
  evalConcurrency: number
  messaging: boolean
  git: boolean
  autoEval: boolean
  subset: string | null
  repo: string | null
  task: number | null
  teamSize: number
  /** De-duplicated, ascending. */
  features: number[] | null
  name: string | null
  modelBaseUrl: string | null
  agentConfig: string | null
  testTimeoutSeconds: number
  agentTimeoutSeconds: number | null
  stepLimit: number
  costLimit: number
  image: ImageConfig
  /** Absolute paths for local modules, package names as given. */
  plugins: string[]
  agents: Record<string, PluginOptions>
  backends: Record<string, PluginOptions>
  buses: Record<string, PluginOptions>
  evaluators: Record<string, PluginOptions>
}
