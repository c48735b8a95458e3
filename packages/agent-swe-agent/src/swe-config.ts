import { createHash } from 'node:crypto'
import { resolve } from 'node:path'
import { compileJinja, type JinjaTemplate, JinjaTemplateError } from '@cooperbench/agent-mini-swe'
import { CooperbenchError, SANDBOX_REPO_DIR } from '@cooperbench/spec'
import { readBundle, type ToolBundle, toolCommand, toolSpec } from './bundles.js'
import type { SweAgentOptions } from './options.js'
import { refuseTasklessConfig } from './task-shown.js'
import { BASH_TOOL_CONFIG, SWE_AGENT_DEFAULTS } from './swe-agent-defaults.js'

type Raw = Record<string, unknown>

/** SWE-agent's agent settings as upstream's adapter hands them to its `DefaultAgent` (the vendored 1.1). */
export type SweAgentConfig = ReturnType<typeof readSweAgentConfig>

const PROCESSORS = new Set(['default', 'cache_control', 'last_n_observations'])

/**
 * Reads `options.agent` as upstream's adapter and SWE-agent's config classes do (`registry_variables.ROOT` set, SWE-agent's
 * defaults for what is left out); CONFIG_INVALID for what would run differently here (another parser, demonstrations,
 * multi-line tools, other history processors), and for a block without the template that shows the task.
 */
export function readSweAgentConfig(options: SweAgentOptions) {
  const agent = options.agent
  if (agent === undefined) {
    throw new CooperbenchError('CONFIG_INVALID', 'swe_agent has no configuration: cooperbench ships none of SWE-agent\u2019s or upstream\u2019s', {
      hint: "Pass upstream's file: --agent-config <checkout>/src/cooperbench/agents/swe_agent/config/coop.yaml (default.yaml for solo); see docs/reproducing-the-paper.md#swe_agent",
    })
  }
  const tools = (agent['tools'] ?? {}) as Raw
  const templates = (agent['templates'] ?? {}) as Raw
  refuseTasklessConfig(agent, templates)
  refuseUnsupported(agent, tools, templates)
  const filter = (tools['filter'] ?? {}) as Raw
  const root = options.config_root === undefined ? null : resolve(options.config_root)
  const bundles = ((tools['bundles'] ?? []) as Raw[]).map((entry) => readBundle(entry, root))
  const bash = tools['enable_bash_tool'] === false ? [] : [toolCommand('bash', BASH_TOOL_CONFIG, "SWE-agent's bash tool")]
  const commands = [...bash, ...bundles.flatMap((bundle) => bundle.commands)]
  const twice = commands.find((command, i) => commands.findIndex((other) => other.name === command.name) !== i)
  if (twice) throw invalid(`the tool ${twice.name} is defined more than once in the configuration's bundles`)
  const processors = (agent['history_processors'] ?? [{ type: 'default' }]) as Raw[]
  const lastN = processors.find((p) => p['type'] === 'last_n_observations')
  const cacheControl = processors.find((p) => p['type'] === 'cache_control')
  const defaults = SWE_AGENT_DEFAULTS
  const regex = (filter['block_unless_regex'] ?? defaults.filter.block_unless_regex) as Record<string, string>
  const number = (from: Raw, key: string, fallback: number) => (typeof from[key] === 'number' ? (from[key] as number) : fallback)
  return {
    templates: templatesOf(templates, tools, filter),
    maxObservationLength: number(templates, 'max_observation_length', defaults.templates.max_observation_length),
    maxRequeries: number(agent, 'max_requeries', defaults.max_requeries),
    lastNObservations: lastN ? { n: Number(lastN['n']), polling: Number(lastN['polling'] ?? 1) } : null,
    // SWE-agent's `cache_control` processor: the last n user/tool messages marked (upstream's adapter drops it for Gemini models).
    cacheControlLastN: cacheControl ? Number(cacheControl['last_n_messages'] ?? 2) : null,
    bundles,
    commands,
    tools: commands.map(toolSpec),
    stateCommands: bundles.flatMap((bundle) => (bundle.stateCommand === null ? [] : [bundle.stateCommand])),
    envVariables: Object.fromEntries(Object.entries((tools['env_variables'] ?? defaults.env_variables) as Raw).map(([k, v]) => [k, pyScalar(v)])),
    registryVariables: { ...((tools['registry_variables'] ?? {}) as Raw), ROOT: SANDBOX_REPO_DIR },
    propagateEnvVariables: (tools['propagate_env_variables'] ?? []) as string[],
    resetCommands: ((tools['reset_commands'] ?? []) as Array<string | string[]>).map((c) => (Array.isArray(c) ? c.join(' ') : c)),
    filter: {
      blocklist: (filter['blocklist'] ?? defaults.filter.blocklist) as string[],
      standalone: (filter['blocklist_standalone'] ?? defaults.filter.blocklist_standalone) as string[],
      unlessRegex: Object.fromEntries(Object.entries(regex).map(([name, pattern]) => [name, new RegExp(pattern)])),
    },
    timeouts: {
      execution: number(tools, 'execution_timeout', defaults.execution_timeout),
      install: number(tools, 'install_timeout', defaults.install_timeout),
      totalExecution: number(tools, 'total_execution_timeout', defaults.total_execution_timeout),
      maxConsecutive: number(tools, 'max_consecutive_execution_timeouts', defaults.max_consecutive_execution_timeouts),
    },
    // sha256 hex of the settings and every bundle file: the run's `prompt_source`.
    digest: digestOf(agent, bundles),
  }
}

/** The templates (SWE-agent's defaults where left out); `{{working_dir}}` in system and instance replaced before Jinja2, as upstream's adapter does. */
function templatesOf(templates: Raw, tools: Raw, filter: Raw) {
  const defaults = SWE_AGENT_DEFAULTS.templates
  const text = (from: Raw, key: string, fallback: string) => (typeof from[key] === 'string' ? (from[key] as string) : fallback)
  const template = (from: Raw, key: string, fallback: string, where = 'templates') => compile(text(from, key, fallback), `${where}.${key}`)
  const adapted = (key: string) => compile(text(templates, key, '').replaceAll('{{working_dir}}', SANDBOX_REPO_DIR), `templates.${key}`)
  const nextStep = text(templates, 'next_step_template', defaults.next_step_template)
  return {
    system: adapted('system_template'),
    instance: [adapted('instance_template'), ...(typeof templates['strategy_template'] === 'string' ? [template(templates, 'strategy_template', '')] : [])],
    nextStep: template(templates, 'next_step_template', nextStep),
    nextStepNoOutput: template(templates, 'next_step_no_output_template', nextStep),
    truncatedObservation: template(templates, 'next_step_truncated_observation_template', defaults.next_step_truncated_observation_template),
    shellCheckError: template(templates, 'shell_check_error_template', defaults.shell_check_error_template),
    commandCancelledTimeout: template(templates, 'command_cancelled_timeout_template', defaults.command_cancelled_timeout_template),
    formatError: template(tools, 'format_error_template', SWE_AGENT_DEFAULTS.format_error_template, 'tools'),
    blocklistError: template(filter, 'blocklist_error_template', SWE_AGENT_DEFAULTS.filter.blocklist_error_template, 'tools.filter'),
  }
}

/** Keys whose SWE-agent behaviour is not reproduced here: refused with the reason, never run differently. */
function refuseUnsupported(agent: Raw, tools: Raw, templates: Raw): void {
  const parser = (tools['parse_function'] ?? { type: 'function_calling' }) as Raw
  if (parser['type'] !== 'function_calling') refuse(`tools.parse_function.type ${String(parser['type'])}`, 'only function calling is reproduced')
  if (((templates['demonstrations'] ?? []) as unknown[]).length > 0) refuse('templates.demonstrations', 'demonstrations are not supported')
  if (agent['type'] !== undefined && agent['type'] !== 'default') refuse(`type ${String(agent['type'])}`, "only SWE-agent's default agent is reproduced")
  if (agent['action_sampler'] !== undefined && agent['action_sampler'] !== null) refuse('action_sampler', 'action samplers are not supported')
  for (const processor of (agent['history_processors'] ?? []) as Raw[]) {
    if (!PROCESSORS.has(String(processor['type']))) refuse(`history processor ${String(processor['type'])}`, `supported: ${[...PROCESSORS].join(', ')}`)
    if (processor['type'] === 'last_n_observations' && !(Number(processor['n']) > 0)) refuse('last_n_observations without a positive n', 'SWE-agent refuses it')
    if (processor['type'] === 'cache_control') refuseCacheControlSettings(processor)
  }
  const types = ((agent['history_processors'] ?? []) as Raw[]).map((processor) => processor['type'])
  const [marks, elisions] = [types.indexOf('cache_control'), types.indexOf('last_n_observations')]
  if (marks >= 0 && elisions > marks) refuse('cache_control before last_n_observations', 'here the marks are made after the elision')
}

/** The cache_control processor's settings reproduced: `last_n_messages`; its offset and roles only as SWE-agent's defaults. */
function refuseCacheControlSettings(processor: Raw): void {
  const roles = processor['tagged_roles']
  if (Number(processor['last_n_messages_offset'] ?? 0) !== 0) refuse('cache_control last_n_messages_offset', 'only 0 (the default) is reproduced')
  if (roles !== undefined && JSON.stringify(roles) !== '["user","tool"]') refuse('cache_control tagged_roles', 'only [user, tool] (the default) is reproduced')
  if (!Number.isInteger(Number(processor['last_n_messages'] ?? 2))) refuse('cache_control last_n_messages', 'an integer is expected')
}

function refuse(what: string, why: string): never {
  throw invalid(`the swe_agent configuration's ${what} is not supported here: ${why}`)
}

function compile(source: string, name: string): JinjaTemplate {
  try {
    return compileJinja(source, name)
  } catch (error) {
    if (!(error instanceof JinjaTemplateError)) throw error
    throw invalid(`the swe_agent configuration's ${error.message}`)
  }
}

/** An environment variable's value as SWE-agent exports it: `str(value)` (a YAML `1` is `1`, `true` is `True`). */
function pyScalar(value: unknown): string {
  return value === true ? 'True' : value === false ? 'False' : value === null ? 'None' : String(value)
}

function digestOf(agent: Raw, bundles: ToolBundle[]): string {
  const hash = createHash('sha256').update(JSON.stringify(agent))
  for (const bundle of bundles) for (const file of bundle.files) hash.update(`\0${bundle.name}/${file.path}\0`).update(file.data)
  return hash.digest('hex')
}

function invalid(message: string): CooperbenchError {
  return new CooperbenchError('CONFIG_INVALID', message, {
    hint: "Pass upstream CooperBench's configuration and bundles as they are; docs/reproducing-the-paper.md#swe_agent lists what is supported",
  })
}
