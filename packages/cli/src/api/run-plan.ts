import { CORE_VERSION, type PluginRegistry } from '@cooperbench/core'
import { autoRunName, configFingerprint, type ConfigLayer, redactSecrets, type ResolvedConfig } from '@cooperbench/core/config'
import { PLAN_CONFIG_KEYS, type PlanSettings, type RunPlan } from '@cooperbench/core/runner'
import { agentLimitsFor, agentOptionsFor } from '../agent-options.js'
import { readDatasetSource } from '../dataset-download/dataset-source.js'
import { backendOptionsFor, evaluatorOptionsFor, readAgentConfig } from './settings.js'

/** The prompt source of agents whose registration names none; part of the configuration fingerprint. */
const DEFAULT_PROMPT_SOURCE = 'cooperbench-v1'

/**
 * Everything a run needs, from its resolved configuration: the run name (generated when not
 * given), the agent/backend/bus options, and the fingerprint a run folder is checked against.
 */
export async function buildRunPlan(
  registry: PluginRegistry,
  config: ResolvedConfig,
  layers: Record<keyof ResolvedConfig, ConfigLayer>,
  force: boolean,
): Promise<RunPlan> {
  const agentConfig = await readAgentConfig(config.agentConfig)
  const entry = registry.find('agent', config.agent)
  // An alias (`mini_swe_agent_v2`) and its agent's name (`mini_swe_agent`) are the same agent, recorded by its own name.
  const agentName = entry?.name ?? config.agent
  // An agent that calls no model (the oracle) is named and recorded without one.
  const recordedModel = entry?.usesModel === false ? null : config.model
  const runName =
    config.name ??
    autoRunName(
      {
        setting: config.setting,
        agent: agentName,
        model: recordedModel,
        git: config.git,
        subset: config.subset,
        repo: config.repo,
        task: config.task,
        messaging: config.messaging,
        agentConfigDigest: agentConfig.digest,
        teamSize: config.teamSize,
        backend: config.backend,
        bus: config.bus,
      },
      (agent) => registry.find('agent', agent)?.shorthand,
    )
  const agentOptions = agentOptionsFor(registry, config, agentConfig)
  // Validated here only for the agents that read their options to plan (others are validated when created).
  const validOptions = () => (entry ? registry.validateOptions('agent', entry.name, agentOptions) : agentOptions)
  const promptSource = (await entry?.promptSource?.(validOptions())) ?? DEFAULT_PROMPT_SOURCE
  const { fingerprint, hash } = configFingerprint(
    { ...config, agent: agentName, model: recordedModel },
    {
      agentConfigDigest: agentConfig.digest,
      agentRelease: entry?.release?.(validOptions()) ?? null,
      harnessVersion: CORE_VERSION,
      promptProfile: promptSource,
    },
  )
  // An agent that needs more in its sandbox (its own server) runs in images layered on the task images.
  const layer = entry?.imageLayer?.(validOptions())
  const imageTemplate = layer ? `${config.image.template}${layer.tagSuffix}` : config.image.template
  const backendOptions = backendOptionsFor(registry, config)
  if (layer && typeof backendOptions.imageTemplate === 'string') backendOptions.imageTemplate = `${backendOptions.imageTemplate}${layer.tagSuffix}`
  return {
    ...pickPlanSettings(config),
    agent: agentName,
    runName,
    promptSource,
    recordedModel,
    evaluatorOptions: evaluatorOptionsFor(registry, config),
    force,
    testTimeoutMs: config.testTimeoutSeconds * 1000,
    agentTimeoutMs: config.agentTimeoutSeconds === null ? null : config.agentTimeoutSeconds * 1000,
    agentOptions,
    agentLimits: agentLimitsFor(config, layers),
    backendOptions,
    busOptions: { ...(config.buses[config.bus] ?? {}), ...(config.redis ? { url: config.redis } : {}) },
    imageTemplate,
    imageLayer: layer && entry ? { owner: layer.owner, agent: config.agent, tagSuffix: layer.tagSuffix } : null,
    imageNamespace: config.image.namespace,
    fingerprint: { value: fingerprint as unknown as Record<string, unknown>, hash },
    // Which commit of the hub's dataset the tasks are, when `dataset download` fetched them.
    configRecord: {
      ...(redactSecrets({ ...config, name: runName, agent: agentName, model: recordedModel }) as unknown as Record<string, unknown>),
      prompt_source: promptSource,
      dataset_source: await readDatasetSource(config.datasetDir),
    },
    harnessVersion: CORE_VERSION,
  }
}

function pickPlanSettings(config: ResolvedConfig): PlanSettings {
  return Object.fromEntries(PLAN_CONFIG_KEYS.map((key) => [key, config[key]])) as PlanSettings
}
