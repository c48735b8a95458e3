import { createHash } from 'node:crypto'
import { CooperbenchError } from '@cooperbench/spec'
import { DEFAULT_OPTIONS, optionLayers } from '../agent/options.js'
import type { CompleteRequest } from '../llm/index.js'
import { compileJinja, JinjaTemplateError, type JinjaTemplate } from './jinja.js'
import { chosenReferenceVersion, type FileProtocol, followsAtLeast, type ReferenceVersion } from './reference-version.js'

/** The limits of the reference's agent when its file sets none (mini-swe-agent's `AgentConfig`): template variables too. */
const REFERENCE_LIMITS = { step_limit: 0, cost_limit: 3 } as const

/**
 * A configuration in the reference's `mini_swe_agent_v2` format (its `config/coop.yaml` and `config/solo.yaml`, 0.0.14),
 * as its adapter reads one. Options carrying `agent.system_template` or `agent.instance_template` are one; the agent then
 * follows the reference's protocol (docs/reproducing-the-paper.md) instead of profile `cooperbench-v1`.
 */
export interface ReferenceProtocol {
  systemTemplate: JinjaTemplate
  instanceTemplate: JinjaTemplate
  observationTemplate: JinjaTemplate
  formatErrorTemplate: JinjaTemplate
  /** `agent.step_limit` (model calls) and `agent.cost_limit` (USD); 0 = none. Absent: the reference's defaults, no step limit and $3. */
  limits: { step_limit: number; cost_limit: number }
  compaction: { enabled: boolean; triggerTokens: number; keepRecentTurns: number; summaryPrompt: string | null }
  /** `environment.env`, set on every command (the reference's adapter passes no other environment key on, `forward_env` included). */
  env: Record<string, string>
  /** `model.model_kwargs`, translated to the calls made here. */
  modelKwargs: ModelKwargs
  /** `model.cost_tracking`, else `MSWEA_COST_TRACKING` (as in the reference), else `default`, which makes an unpriced call an error. */
  costTracking: 'default' | 'ignore_errors'
  /** The agent, environment and model settings as the reference's objects hold them: template variables. */
  settings: { agent: Record<string, unknown>; environment: Record<string, unknown>; model: Record<string, unknown> }
  /** Keys the file sets that have no effect (in the reference either, or here), each with why. */
  ignored: string[]
  /**
   * What is evaluated, by the version followed: `patch.txt` after the run (0.0.14–0.0.22), the text after the marker
   * (0.0.12–0.0.13), or the branch of the agent's pull request (0.0.23 on, ./pull-request.ts).
   */
  submission: 'patch.txt' | 'after-marker' | 'pull-request'
  /** The upstream release followed: the file's own, or option `reference_version` (./reference-version.ts). */
  version: ReferenceVersion
  /** Whether the options set `command_timeout_seconds` (else the version's default: 3600 s, 300 s from 0.0.25). */
  setsCommandTimeout: boolean
  /**
   * sha256 hex of the configuration's canonical JSON (with the version when it is not the file's
   * own, so a default run keeps its fingerprint): recorded as the prompt source and fingerprinted.
   */
  digest: string
}

/** `model.model_kwargs` as our request settings, and the OpenAI-compatible endpoint they name (LiteLLM's `api_base`). */
interface ModelKwargs {
  request: Partial<CompleteRequest>
  apiBase?: string
}

type Raw = Record<string, unknown>

/** `model_kwargs` keys that only steer LiteLLM's own client, never the request: accepted, without effect. */
const CLIENT_ONLY_KWARGS = new Set(['drop_params', 'num_retries'])
/** The `model_kwargs` keys both the reference's client and ours send, by our request settings' names. */
const REQUEST_KWARGS: Record<string, keyof CompleteRequest | 'apiBase'> = {
  temperature: 'temperature',
  top_p: 'topP',
  max_tokens: 'maxOutputTokens',
  max_completion_tokens: 'maxOutputTokens',
  seed: 'seed',
  stop: 'stopSequences',
  presence_penalty: 'presencePenalty',
  frequency_penalty: 'frequencyPenalty',
  api_base: 'apiBase',
  base_url: 'apiBase',
}

/** `environment.*` keys the reference's adapter never passes on (it builds its environment from `env` alone). */
const ENVIRONMENT_IGNORED = ['forward_env', 'cwd', 'timeout', 'executable', 'run_args', 'network', 'container_timeout', 'pull_timeout', 'interpreter', 'image']

/** Whether `raw` (agent options) is in the reference's format. */
export function isReferenceFormat(raw: unknown): boolean {
  return optionLayers(raw).some((layer) => {
    const agent = layer['agent'] as Raw | undefined
    return agent?.['system_template'] !== undefined || agent?.['instance_template'] !== undefined
  })
}

/** Python's `recursive_merge` of two mappings: nested mappings merge, anything else is replaced. */
function deepMerge(base: Raw, over: Raw): Raw {
  const out: Raw = { ...base }
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key]
    out[key] = isMapping(prev) && isMapping(value) ? deepMerge(prev, value) : value
  }
  return out
}

const isMapping = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Reads a reference-format configuration; CONFIG_INVALID for a missing template, one not rendered exactly, or a `model_kwargs` key with no equivalent. */
export function readReferenceProtocol(raw: unknown, hostEnv: NodeJS.ProcessEnv = process.env): ReferenceProtocol {
  // The reference merges the `config:` block and the rest of the file over each other, the rest last.
  let merged: Raw = {}
  for (const layer of optionLayers(raw)) merged = deepMerge(merged, pick(layer, ['agent', 'environment', 'model']))
  const agent = (merged['agent'] ?? {}) as Raw
  const environment = (merged['environment'] ?? {}) as Raw
  const model = (merged['model'] ?? {}) as Raw
  const ignored: string[] = []
  if (agent['mode'] !== undefined) ignored.push("agent.mode: not a setting of the reference's agent (its settings class ignores it)")
  if (agent['output_path'] !== undefined) ignored.push('agent.output_path: the harness writes the trajectory files')
  for (const key of ENVIRONMENT_IGNORED) {
    if (environment[key] !== undefined) ignored.push(`environment.${key}: the reference's adapter passes only environment.env to its environment`)
  }
  // The host checked the settings' types against the schema; absent ones take the reference's defaults.
  const setting = <T>(key: string, fallback: T): T => (agent[key] as T | undefined) ?? fallback
  const compaction = {
    // The reference's defaults are our options' (`compaction_*` are their reference names).
    enabled: setting('compaction_enabled', DEFAULT_OPTIONS.compaction.enabled),
    triggerTokens: setting('compaction_token_trigger', DEFAULT_OPTIONS.compaction.trigger_tokens),
    keepRecentTurns: setting('compaction_keep_recent_turns', DEFAULT_OPTIONS.compaction.keep_last),
    summaryPrompt: setting<string | null>('compaction_summary_prompt', null),
  }
  const file = fileProtocol(agent)
  const version = chosenReferenceVersion(raw, file)
  const recorded = version === file ? { agent, environment, model } : { agent, environment, model, reference_version: version }
  const protocol: ReferenceProtocol = {
    systemTemplate: compileTemplate(agent['system_template'], 'agent.system_template'),
    instanceTemplate: compileTemplate(agent['instance_template'], 'agent.instance_template'),
    observationTemplate: compileTemplate(model['observation_template'], 'model.observation_template'),
    // The reference's default prints the error alone.
    formatErrorTemplate: compileTemplate(model['format_error_template'], 'model.format_error_template', '{{ error }}'),
    limits: { step_limit: setting('step_limit', REFERENCE_LIMITS.step_limit), cost_limit: setting('cost_limit', REFERENCE_LIMITS.cost_limit) },
    compaction,
    env: (environment['env'] ?? {}) as Record<string, string>,
    modelKwargs: modelKwargsOf(model['model_kwargs'], ignored),
    costTracking: costTrackingOf(model['cost_tracking'], hostEnv),
    settings: { agent, environment, model },
    ignored,
    submission: version === '0.0.12–0.0.13' ? 'after-marker' : followsAtLeast(version, '0.0.23') ? 'pull-request' : 'patch.txt',
    version,
    setsCommandTimeout: setsCommandTimeout(raw),
    digest: createHash('sha256').update(canonicalJson(recorded)).digest('hex'),
  }
  refuseUnsupported(model)
  return protocol
}

/** Whether a layer of the options (flat keys or the `agent:` block) sets `command_timeout_seconds`. */
function setsCommandTimeout(raw: unknown): boolean {
  return optionLayers(raw).some(
    (layer) => layer['command_timeout_seconds'] !== undefined || (layer['agent'] as Raw | undefined)?.['command_timeout_seconds'] !== undefined,
  )
}

/** A template of the configuration, compiled; `fallback` when the file has none, else CONFIG_INVALID. */
function compileTemplate(value: unknown, name: string, fallback?: string): JinjaTemplate {
  const source = typeof value === 'string' ? value : fallback
  if (source === undefined) {
    throw new CooperbenchError('CONFIG_INVALID', `the reference-format agent config has no ${name}`, {
      hint: `cooperbench ships none of the reference's prompts: pass the reference's own config file whole (its ${name} included); see docs/reproducing-the-paper.md`,
    })
  }
  try {
    return compileJinja(source, name)
  } catch (error) {
    if (!(error instanceof JinjaTemplateError)) throw error
    throw new CooperbenchError('CONFIG_INVALID', `the agent config's ${error.message}`, {
      hint: 'cooperbench renders the Jinja2 constructs of the reference configurations exactly and refuses others: see docs/reproducing-the-paper.md',
    })
  }
}

/**
 * The reference version a file's templates belong to, by how they submit (its history of `config/*.yaml`): `0.0.12–0.0.13`
 * for `echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT && cat patch.txt` (the text after the marker evaluated); `0.0.11 or
 * earlier` for the marker without `patch.txt` (`git diff` evaluated); else null: 0.0.14's patch.txt.
 */
export function olderReferenceVersion(agent: Record<string, unknown>): '0.0.12–0.0.13' | '0.0.11 or earlier' | null {
  const text = [agent['system_template'], agent['instance_template']].filter((t): t is string => typeof t === 'string').join('\n')
  if (/COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT\s*&&\s*cat\s+(\.\/)?patch\.txt/.test(text)) return '0.0.12–0.0.13'
  if (text.includes('COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT') && !text.includes('patch.txt')) return '0.0.11 or earlier'
  return null
}

/**
 * How the file's templates submit: through a pull request when they name `gh pr create` (upstream's 0.0.23 on), else by
 * their submit command; 0.0.11 or earlier is refused (its `mini.yaml` conventions are not followed; patch.txt would score
 * an unasked patch).
 */
export function fileProtocol(agent: Raw): FileProtocol {
  const text = [agent['system_template'], agent['instance_template']].filter((t): t is string => typeof t === 'string').join('\n')
  if (/\bgh\s+pr\s+create\b/.test(text)) return 'pull-request'
  const version = olderReferenceVersion(agent)
  if (version === null) return '0.0.14'
  if (version === '0.0.12–0.0.13') return version
  throw new CooperbenchError(
    'CONFIG_INVALID',
    "the agent config is from the reference's 0.0.11 or earlier (its templates name the submit marker but never patch.txt: those versions evaluated `git diff` of the working tree); cooperbench follows 0.0.12 on, so its agents would be scored on a patch their prompt never asked for",
    {
      hint: "Use the reference's 0.0.14 config/coop.yaml or config/solo.yaml (or later), or run that version of the reference harness for this file; see docs/reproducing-the-paper.md.",
    },
  )
}

function refuseUnsupported(model: Raw): void {
  const refuse = (key: string, why: string) => {
    throw new CooperbenchError('CONFIG_INVALID', `model.${key} of the reference-format agent config is not supported here: ${why}`, {
      hint: 'Remove the key, or run the reference harness for this configuration; docs/reproducing-the-paper.md lists the differences.',
    })
  }
  if (model['set_cache_control'] != null) refuse('set_cache_control', 'cache-control markers are not added to messages')
  if (typeof model['multimodal_regex'] === 'string' && model['multimodal_regex'] !== '') refuse('multimodal_regex', 'observations are text only')
  if (model['litellm_model_registry'] != null) refuse('litellm_model_registry', "prices come from cooperbench's own table")
  if (model['model_name'] !== undefined) refuse('model_name', 'the model is chosen with --model (the reference also takes it from its command line)')
}

/** The file's `model.cost_tracking` (one of the two, as the schema checked), else the reference's default: `MSWEA_COST_TRACKING`, else `default`. */
function costTrackingOf(value: unknown, hostEnv: NodeJS.ProcessEnv): 'default' | 'ignore_errors' {
  if (value === 'default' || value === 'ignore_errors') return value
  const fromEnv = hostEnv['MSWEA_COST_TRACKING']
  if (fromEnv === undefined || fromEnv === 'default' || fromEnv === 'ignore_errors') return fromEnv ?? 'default'
  throw new CooperbenchError('CONFIG_INVALID', `MSWEA_COST_TRACKING="${fromEnv}" is neither "default" nor "ignore_errors"`, {
    hint: "The reference-format agent config takes model.cost_tracking's default from it, as the reference does: fix or unset it.",
  })
}

/** `model.model_kwargs` (a mapping, as the schema checked) translated to our request settings; refuses a key with no equivalent. */
function modelKwargsOf(value: unknown, ignored: string[]): ModelKwargs {
  const kwargs: ModelKwargs = { request: {} }
  for (const [key, v] of Object.entries((value ?? {}) as Raw)) {
    if (CLIENT_ONLY_KWARGS.has(key)) {
      ignored.push(`model.model_kwargs.${key}: steers LiteLLM's client, not the request`)
      continue
    }
    if (!Object.hasOwn(REQUEST_KWARGS, key)) {
      throw new CooperbenchError('CONFIG_INVALID', `model.model_kwargs.${key} of the agent config has no equivalent here`, {
        hint: `Supported: ${Object.keys(REQUEST_KWARGS).join(', ')} (and ${[...CLIENT_ONLY_KWARGS].join(', ')}, without effect).`,
      })
    }
    const name = REQUEST_KWARGS[key]!
    if (name === 'apiBase') kwargs.apiBase = v as string
    else (kwargs.request as Raw)[name] = key === 'stop' && typeof v === 'string' ? [v] : v
  }
  return kwargs
}

function pick(raw: Raw, keys: string[]): Raw {
  return Object.fromEntries(keys.flatMap((k) => (isMapping(raw[k]) ? [[k, raw[k]]] : [])))
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (isMapping(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}
