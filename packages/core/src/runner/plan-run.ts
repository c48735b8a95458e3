import type { ImageLayer } from '@cooperbench/spec'
import { configFingerprint } from '../config/fingerprint.js'
import { redactSecrets } from '../config/redact.js'
import { autoRunName } from '../config/run-name.js'
import { checkTeamSettings, teamFeaturesOffNames } from '../config/team-features.js'
import { readAgentConfig, type ResolvedSettings } from '../config/settings.js'
import type { ResolvedConfig } from '../config/types.js'
import { readDatasetSource } from '../dataset/source.js'
import type { PluginRegistry } from '../plugin/registry.js'
import { CORE_VERSION } from '../version.js'
import { PLAN_CONFIG_KEYS, type PlanSettings, type RunPlan } from './plan.js'
import { agentLimitsFor, agentOptionsFor, backendOptionsFor, busOptionsFor, evaluatorOptionsFor } from './plugin-options.js'

/** The prompt source of agents whose registration names none; part of the configuration fingerprint. */
const DEFAULT_PROMPT_SOURCE = 'cooperbench-v1'

/**
 * Everything a run needs, from its resolved settings: the run name (generated when not given),
 * the agent/backend/bus options (the agent's validated here, once), the limits, the images and
 * the fingerprint a run folder is checked against. `run()`, `cooperbench run` and a script on
 * core all plan a run with this function.
 */
export async function planRun(registry: PluginRegistry, settings: ResolvedSettings, force = false): Promise<RunPlan> {
  const { config, layers } = settings
  checkTeamSettings(config)
  const entry = registry.get('agent', config.agent)
  const agentConfig = await readAgentConfig(config.agentConfig)
  const agentOptions = registry.validateOptions('agent', entry.name, agentOptionsFor(registry, config, agentConfig))
  // An alias (`mini_swe_agent_v2`) and its agent's name (`mini_swe_agent`) are the same agent, recorded by its own name.
  const agent = entry.name
  // An agent that calls no model (the oracle) is named and recorded without one.
  const recordedModel = entry.usesModel === false ? null : config.modelName
  const runName = config.runName ?? autoRunName(runNameInput(config, agent, recordedModel, agentConfig.digest), (a) => registry.find('agent', a)?.shorthand)
  const promptSource = (await entry.promptSource?.(agentOptions)) ?? DEFAULT_PROMPT_SOURCE
  const { fingerprint, hash } = configFingerprint(
    { ...config, agent, modelName: recordedModel },
    { agentConfigDigest: agentConfig.digest, agentRelease: entry.release?.(agentOptions) ?? null, harnessVersion: CORE_VERSION, promptProfile: promptSource },
  )
  return {
    ...pickPlanSettings(config),
    agent,
    runName,
    promptSource,
    recordedModel,
    evaluatorOptions: evaluatorOptionsFor(registry, config),
    force,
    testTimeoutMs: config.testTimeoutSeconds * 1000,
    agentTimeoutMs: config.agentTimeoutSeconds === null ? null : config.agentTimeoutSeconds * 1000,
    agentOptions,
    agentLimits: agentLimitsFor(config, layers, entry.ownLimits?.(agentOptions)),
    ...planImages(config, entry.imageLayer?.(agentOptions)),
    backendOptions: backendOptionsFor(config),
    busOptions: busOptionsFor(registry, config),
    fingerprint: { value: fingerprint as unknown as Record<string, unknown>, hash },
    configRecord: {
      ...(redactSecrets({ ...config, runName, agent, modelName: recordedModel }) as unknown as Record<string, unknown>),
      prompt_source: promptSource,
      // Which commit of the hub's dataset the tasks are, when `dataset download` fetched them.
      dataset_source: await readDatasetSource(config.datasetDir),
    },
    harnessVersion: CORE_VERSION,
  }
}

function runNameInput(config: ResolvedConfig, agent: string, modelName: string | null, agentConfigDigest: string | null) {
  const { setting, gitEnabled, subset, repo, taskId, messagingEnabled, teamSize, backend, bus, team } = config
  const teamFeaturesOff = teamFeaturesOffNames(team)
  return { setting, agent, modelName, gitEnabled, subset, repo, taskId, messagingEnabled, agentConfigDigest, teamSize, backend, bus, teamFeaturesOff }
}

/**
 * The run's image naming: the configured template, with the agent's layer suffix when the agent
 * needs more in its sandbox (its own server) and so runs in images layered on the task images.
 * Backends get it as `FactoryContext.images` (`imageNaming`).
 */
function planImages(config: ResolvedConfig, layer: ImageLayer | undefined) {
  return {
    imageTemplate: `${config.image.template}${layer?.tagSuffix ?? ''}`,
    imageNamespace: config.image.namespace,
    // The agent as the user named it (an alias included), for the `images build --agent` hint.
    imageLayer: layer ? { owner: layer.owner, agent: config.agent, tagSuffix: layer.tagSuffix } : null,
  }
}

function pickPlanSettings(config: ResolvedConfig): PlanSettings {
  return Object.fromEntries(PLAN_CONFIG_KEYS.map((key) => [key, config[key]])) as PlanSettings
}
