import type { ResolvedConfig } from './types.js'

/**
 * Built-in defaults: the reference CLI's (docs/reference-compatibility.md#cli), except the embedded backend
 * and bus (`local` and `memory`: the embedded path needs no daemon). Relative paths are
 * relative to the working directory.
 * `schema.json` states the same defaults for editors; a test keeps the two equal.
 */
export const CONFIG_DEFAULTS: Readonly<ResolvedConfig> = Object.freeze({
  datasetDir: './dataset',
  logDir: './logs',
  setting: 'coop',
  agent: 'mini_swe_agent_v2',
  model: 'vertex_ai/gemini-3-flash-preview',
  backend: 'local',
  bus: 'memory',
  evaluator: 'default',
  redis: null,
  concurrency: 30,
  evalConcurrency: 10,
  messaging: true,
  git: false,
  autoEval: true,
  subset: null,
  repo: null,
  task: null,
  teamSize: 2,
  features: null,
  name: null,
  modelBaseUrl: null,
  agentConfig: null,
  testTimeoutSeconds: 600,
  agentTimeoutSeconds: null,
  stepLimit: 100,
  costLimit: 3,
  image: { namespace: 'akhatua', template: '{namespace}/cooperbench-{slug}:task{taskId}' },
  plugins: [],
  agents: {},
  backends: {},
  buses: {},
  evaluators: {},
})

/** The Redis URL the reference uses when `--redis` is not given (docs/reference-compatibility.md#cli). */
export const DEFAULT_REDIS_URL = 'redis://localhost:6379'
