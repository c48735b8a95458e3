import { CooperbenchError, type Pair, type PluginRegistry } from '@cooperbench/core'
import {
  agentConfigDigest,
  type ConfigFlags,
  type ConfigLayer,
  type CooperbenchConfig,
  loadDotEnv,
  type ResolvedConfig,
  resolveConfig,
} from '@cooperbench/core/config'
import { type Dataset, loadDataset, loadSubset, selectPairs } from '@cooperbench/core/dataset'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { parse as parseYaml } from 'yaml'

export interface ResolvedSettings {
  config: ResolvedConfig
  /** The config file used, or null. */
  file: string | null
  /** For each key, the highest layer that set it. */
  layers: Record<keyof ResolvedConfig, ConfigLayer>
}

/**
 * The configuration of one invocation, as the CLI resolves it: defaults < config file (found
 * from `cwd`, or the given path, or the given value) < environment (`.env` in `cwd` included)
 * < the caller's values (flags, or a script's options).
 */
export async function resolveSettings(flags: ConfigFlags, config: string | CooperbenchConfig | undefined, cwd = process.cwd()): Promise<ResolvedSettings> {
  const env = loadDotEnv(cwd)
  // .env is exported (without overriding real variables) so that plugins reading keys from the
  // environment, such as model providers, see them too.
  for (const [name, value] of Object.entries(env)) if (process.env[name] === undefined && value !== undefined) process.env[name] = value
  const resolved = await resolveConfig({
    cwd: resolve(cwd),
    env,
    flags,
    ...(typeof config === 'string' ? { configPath: config } : config !== undefined ? { inlineConfig: config } : {}),
  })
  return { config: resolved.config, file: resolved.sources.file, layers: resolved.sources.keys }
}

/** The dataset and the pairs the config's filters select; warnings go to `warn`. */
export async function selectFromConfig(config: ResolvedConfig, warn: (message: string) => void): Promise<{ dataset: Dataset; pairs: Pair[] }> {
  return selectIn(
    config.datasetDir,
    { subset: config.subset, repo: config.repo, task: config.task, features: config.features, teamSize: config.teamSize },
    warn,
  )
}

/** Loads the dataset (and the subset, if named) and selects the pairs the filters keep. */
export async function selectIn(
  datasetDir: string,
  filters: { subset?: string | null; repo?: string | null; task?: number | null; features?: number[] | null; teamSize?: number | null },
  warn: (message: string) => void,
): Promise<{ dataset: Dataset; pairs: Pair[] }> {
  const dataset = await loadDataset(datasetDir)
  const subset = filters.subset ? await loadSubset(datasetDir, filters.subset) : undefined
  const pairs = selectPairs(
    dataset,
    {
      repo: filters.repo ?? undefined,
      task: filters.task ?? undefined,
      subset,
      features: filters.features ?? undefined,
      teamSize: filters.teamSize ?? undefined,
    },
    warn,
  )
  return { dataset, pairs }
}

/** The `--agent-config` file (YAML or JSON) parsed, with its digest for the fingerprint. */
export async function readAgentConfig(path: string | null): Promise<{ options: Record<string, unknown>; digest: string | null }> {
  if (!path) return { options: {}, digest: null }
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    throw new CooperbenchError('CONFIG_NOT_FOUND', `agent config file not found: ${path}`, {
      hint: 'Check the --agent-config path (relative paths are relative to the working directory).',
    })
  }
  let parsed: unknown
  try {
    // As PyYAML reads the reference's files (YAML 1.1: `off` is false, `3.` a float).
    parsed = parseYaml(text, { version: '1.1' })
  } catch (error) {
    throw new CooperbenchError('CONFIG_INVALID', `agent config ${path} is not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`, {
      hint: 'Fix the syntax of the file.',
    })
  }
  if (parsed !== null && (typeof parsed !== 'object' || Array.isArray(parsed))) {
    throw new CooperbenchError('CONFIG_INVALID', `agent config ${path} must hold a mapping of options`, { hint: 'e.g. `agent: { step_limit: 50 }`' })
  }
  return { options: (parsed ?? {}) as Record<string, unknown>, digest: agentConfigDigest(text) }
}

/**
 * The options of the configured backend: its `backends.<name>` section, plus the run's image
 * naming for backends that declare `imageTemplate`/`imageNamespace` options (container
 * backends name images themselves when preparing them ahead of a run).
 */
export function backendOptionsFor(registry: PluginRegistry, config: ResolvedConfig, name = config.backend): Record<string, unknown> {
  const options = { ...(config.backends[name] ?? {}) }
  const properties = (registry.find('backend', name)?.optionsSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {}
  if ('imageTemplate' in properties && options.imageTemplate === undefined) options.imageTemplate = config.image.template
  if ('imageNamespace' in properties && options.imageNamespace === undefined) options.imageNamespace = config.image.namespace
  return options
}

/** The options of the configured evaluator: `evaluators.<name>`, by its name or the alias used. */
export function evaluatorOptionsFor(registry: PluginRegistry, config: ResolvedConfig): Record<string, unknown> {
  const entry = registry.get('evaluator', config.evaluator)
  return { ...(config.evaluators[entry.name] ?? {}), ...(config.evaluators[config.evaluator] ?? {}) }
}
