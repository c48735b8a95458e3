import { CooperbenchError, type ImageLayer, isCooperbenchError, PLUGIN_KINDS, type SettingShape } from '@cooperbench/spec'
import {
  agentShorthand,
  autoRunName,
  cleanModelName,
  configFingerprint,
  didYouMean,
  keySource,
  type LayeredConfig,
  PLUGIN_OPTIONS_SECTION,
  readAgentConfig,
  redactSecrets,
  type SeatFingerprint,
  type SettingOptions,
  settingOptionsFor,
} from '@cooperbench/config'
import type { ResolvedConfig } from '@cooperbench/config'
import { readDatasetSource } from '../dataset/source.js'
import type { PluginRegistry } from '../plugin/registry.js'
import { silentLogger } from '@cooperbench/spec-utils'
import { CORE_VERSION } from '../version.js'
import { PLAN_CONFIG_KEYS, type PlanSettings, type RunPlan, type SeatPlan } from './plan.js'
import { agentLimitsFor, agentOptionsFor, backendOptionsFor, busOptionsFor, evaluatorOptionsFor } from './plugin-options.js'

/** The prompt source of agents whose registration names none; part of the configuration fingerprint. */
const DEFAULT_PROMPT_SOURCE = 'cooperbench-v1'

/** What a run (`run()`, `cooperbench run`, scripts) needs from its settings: name, options (the agent's validated once), limits, images, fingerprint. */
export async function planRun(registry: PluginRegistry, settings: LayeredConfig, force = false): Promise<RunPlan> {
  const { config, layers } = settings
  refuseUnknownSections(registry, settings)
  const setting = await plannedSetting(registry, settings)
  const entry = registry.get('agent', config.agent)
  const agentConfig = await readAgentConfig(config.agentConfig)
  const agentOptions = registry.validateOptions('agent', entry.name, agentOptionsFor(registry, config, agentConfig))
  // An alias (`mini_swe_agent_v2`) and its agent's name (`mini_swe_agent`) are the same agent, recorded by its own name.
  const agent = entry.name
  // An agent that calls no model (the oracle) is named and recorded without one.
  const recordedModel = entry.usesModel === false ? null : config.modelName
  const shorthand = (a: string) => registry.find('agent', a)?.shorthand
  const seats = await plannedSeats(registry, settings, setting, { agent, modelName: config.modelName })
  const nameInput = { ...runNameInput(config, agent, recordedModel, agentConfig.digest, setting.shape), seats: seatNameParts(seats, agent, shorthand) }
  const runName = config.runName ?? autoRunName(nameInput, shorthand)
  const promptSource = (await entry.promptSource?.(agentOptions)) ?? DEFAULT_PROMPT_SOURCE
  const { fingerprint, hash } = configFingerprint(
    { ...config, setting: setting.name, agent, modelName: recordedModel },
    {
      agentConfigDigest: agentConfig.digest,
      agentRelease: entry.release?.(agentOptions) ?? null,
      harnessVersion: CORE_VERSION,
      promptProfile: promptSource,
      setting: { ...setting.shape, judgedByMerge: setting.judgedByMerge },
      plugins: pluginVersions(registry, config, seats),
      seats: seatFingerprints(registry, seats),
    },
  )
  return {
    ...(Object.fromEntries(PLAN_CONFIG_KEYS.map((key) => [key, config[key]])) as PlanSettings),
    setting: setting.name,
    settingOptions: setting.options,
    settingShape: setting.shape,
    judgedByMerge: setting.judgedByMerge,
    settingOptionSource: setting.sourceOf,
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
    agentContinues: entry.continues === true,
    agentSetupLayer: (await entry.setupLayer?.(agentOptions)) ?? null,
    agentBriefingOnly: entry.briefingOnly?.(agentOptions) === true,
    ...(Object.keys(seats).length > 0 ? { seats } : {}),
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

function runNameInput(config: ResolvedConfig, agent: string, modelName: string | null, agentConfigDigest: string | null, shape: SettingShape) {
  const { gitEnabled, subset, repo, taskId, messagingEnabled, pairSize, backend, bus } = config
  const setting = { setting: config.setting, settingMessages: shape.messaging, settingParts: shape.nameParts ?? [] }
  return { ...setting, agent, modelName, gitEnabled, subset, repo, taskId, messagingEnabled, agentConfigDigest, pairSize, backend, bus }
}

/**
 * The seat roles a config gives their own agent or model (`seats.<role>`), each planned as the run's agent is: options validated once
 * (`agents.<name>`; the `--agent-config` file is the run's agent's alone), limits, prompt source. A role the setting never seats is refused.
 */
async function plannedSeats(
  registry: PluginRegistry,
  settings: LayeredConfig,
  setting: { name: string; shape: SettingShape },
  run: { agent: string; modelName: string },
): Promise<Record<string, SeatPlan>> {
  const { config, layers } = settings
  const roles = setting.shape.roles ?? []
  const seats: Record<string, SeatPlan> = {}
  for (const [role, seat] of Object.entries(config.seats ?? {})) {
    if (!roles.includes(role)) {
      const known = roles.length > 0 ? `Its roles: ${roles.join(', ')}.` : 'It declares no seat roles.'
      const where = keySource('seats', settings, settings.flagsSource)
      throw new CooperbenchError('CONFIG_INVALID', `seats.${role} (${where}): setting ${setting.name} has no seat of role "${role}"`, {
        hint: `${didYouMean(role, [...roles])}${known} \`cooperbench settings\` lists each setting's roles.`,
      })
    }
    const entry = registry.get('agent', seat.agent ?? run.agent)
    const agentConfig = entry.name === run.agent ? await readAgentConfig(config.agentConfig) : { options: {} }
    const agentOptions = registry.validateOptions('agent', entry.name, agentOptionsFor(registry, { ...config, agent: entry.name }, agentConfig))
    const modelName = seat.model ?? run.modelName
    seats[role] = {
      agent: entry.name,
      agentOptions,
      modelName,
      recordedModel: entry.usesModel === false ? null : modelName,
      promptSource: (await entry.promptSource?.(agentOptions)) ?? DEFAULT_PROMPT_SOURCE,
      agentLimits: agentLimitsFor(config, layers, entry.ownLimits?.(agentOptions)),
      continues: entry.continues === true,
      setupLayer: (await entry.setupLayer?.(agentOptions)) ?? null,
      briefingOnly: entry.briefingOnly?.(agentOptions) === true,
    }
  }
  return seats
}

/** `manager-gpt-5`: each seat role's name part, of what differs from the run's agent (its shorthand) and model. */
function seatNameParts(seats: Record<string, SeatPlan>, agent: string, shorthand: (agent: string) => string | undefined): string[] {
  return Object.entries(seats)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([role, seat]) =>
      [
        role,
        ...(seat.agent === agent ? [] : [agentShorthand(seat.agent, shorthand)]),
        ...(seat.recordedModel ? [cleanModelName(seat.recordedModel)] : []),
      ].join('-'),
    )
}

function seatFingerprints(registry: PluginRegistry, seats: Record<string, SeatPlan>): Record<string, SeatFingerprint> {
  return Object.fromEntries(
    Object.entries(seats).map(([role, seat]) => {
      const release = registry.get('agent', seat.agent).release?.(seat.agentOptions)
      return [role, { agent: seat.agent, model: seat.recordedModel, prompt_profile: seat.promptSource, ...(release ? { agent_release: release } : {}) }]
    }),
  )
}

/** The run's setting by its registered name: its options from every layer, validated, and the shape its object gives them. */
async function plannedSetting(registry: PluginRegistry, settings: LayeredConfig) {
  const { config } = settings
  const entry = registry.get('setting', config.setting)
  const given = settingOptionsFor(settings, entry, registry.list('setting'))
  const options = validSettingOptions(registry, entry.name, given)
  const made = await registry.create('setting', entry.name, { options, logger: silentLogger })
  const shape = made.shape({ messaging: config.messagingEnabled, git: config.gitEnabled, features: config.pairSize })
  const sample = Array.from({ length: config.pairSize }, (_, i) => i + 1)
  return { name: entry.name, options, shape, judgedByMerge: made.judged(sample).rule === 'merge', sourceOf: given.sourceOf }
}

/**
 * Each options section (`agents.<name>`, `backends.`, …) names an installed object: a misspelt one is options no one reads
 * (`settings.teem` would run a team ablation as baseline). `run`, `eval` and `doctor` check it.
 */
export function refuseUnknownSections(registry: PluginRegistry, settings: LayeredConfig): void {
  const problems: string[] = []
  for (const kind of PLUGIN_KINDS) {
    const section = PLUGIN_OPTIONS_SECTION[kind]
    const installed = registry.list(kind).map((entry) => entry.name)
    for (const name of Object.keys(settings.config[section] ?? {})) {
      if (registry.find(kind, name)) continue
      const where = keySource(section, settings, settings.flagsSource).replace(/^\S+ in /, '')
      problems.push(
        `${section}.${name} in ${where}: no installed ${kind} is named "${name}". ${didYouMean(name, installed)}Installed: ${installed.join(', ')}.`,
      )
    }
  }
  if (problems.length === 0) return
  throw new CooperbenchError('CONFIG_INVALID', `options of ${problems.length === 1 ? 'a plugin' : 'plugins'} that no installed plugin provides`, {
    details: problems,
    hint: 'Fix the name, install the plugin that provides it (`cooperbench plugins install <package>`), or remove the section.',
  })
}

/** Each problem names where the option was given (`--sequential-order: …`), not its config key as the registry does: it may be a flag. */
function validSettingOptions(registry: PluginRegistry, name: string, given: SettingOptions): Record<string, unknown> {
  try {
    return registry.validateOptions('setting', name, given.options)
  } catch (error) {
    if (!isCooperbenchError(error) || error.code !== 'CONFIG_INVALID') throw error
    const section = `settings.${name}.`
    const details = error.details.map((detail) =>
      detail.startsWith(section) ? detail.replace(/^[^:\s]+/, (path) => given.sourceOf(path.slice(section.length).split('.')[0]!)) : detail,
    )
    throw new CooperbenchError('CONFIG_INVALID', error.message, { details, hint: 'Fix each value where it was given, as listed above.', cause: error })
  }
}

/** The name and version of each plugin the run uses, by kind (`agent: "@cooperbench/agent-mini-swe@0.1.0 mini_swe_agent"`); a seat's own agent as `agent:<role>`. */
function pluginVersions(registry: PluginRegistry, config: ResolvedConfig, seats: Record<string, SeatPlan>): Record<string, string> {
  const versions: Record<string, string> = {}
  const versionOf = (kind: (typeof PLUGIN_KINDS)[number], name: string) => {
    const entry = registry.find(kind, name)
    return entry ? `${entry.name} (${entry.plugin.name}@${entry.plugin.version})` : undefined
  }
  for (const kind of PLUGIN_KINDS) {
    const version = versionOf(kind, config[kind])
    if (version) versions[kind] = version
  }
  for (const [role, seat] of Object.entries(seats))
    if (seat.agent !== registry.find('agent', config.agent)?.name) versions[`agent:${role}`] = versionOf('agent', seat.agent)!
  return versions
}

/** `FactoryContext.images`: the configured template, with the agent's layer suffix when it runs in images layered on the task images. */
function planImages(config: ResolvedConfig, layer: ImageLayer | undefined) {
  return {
    imageTemplate: `${config.image.template}${layer?.tagSuffix ?? ''}`,
    imageNamespace: config.image.namespace,
    // The agent as the user named it (an alias included), for the `images build --agent` hint.
    imageLayer: layer ? { owner: layer.owner, agent: config.agent, tagSuffix: layer.tagSuffix } : null,
  }
}
