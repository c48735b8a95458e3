import { createHash } from 'node:crypto'
import { type EvaluationPolicy, UNNAMED_EVALUATION_POLICY } from '@cooperbench/spec'
import { isPlainObject } from './objects.js'
import type { ResolvedConfig } from './types.js'

/** What decides whether a run folder's results come from one configuration (docs/reference-compatibility.md#cli); snake_case, as written. */
export interface ConfigFingerprint {
  /** The collaboration setting by name; what it records of its options joins the fingerprint (a team's `team_features`). */
  setting: ResolvedConfig['setting']
  agent: string
  /** null for an agent that calls no model. */
  model: string | null
  /** Messaging in effect: false in a setting whose agents never message (solo). */
  messaging_enabled: boolean
  /** The shared git remote in effect: false in a setting whose agents share none (solo). */
  git_enabled: boolean
  /** sha256 hex of the agent config file, or null without one. */
  agent_config_digest: string | null
  /** What the agent runs beyond its plugin (a CLI's pinned package), when its registration says. */
  agent_release?: string
  prompt_profile: string
  limits: { step_limit: number; cost_limit: number; agent_timeout_seconds: number | null }
  harness_version: string
  /** Features per team, present only when it is not 2 (so pair runs keep their hash). */
  pair_size?: number
  /** The OpenAI-compatible server the model was called at, present only when set. */
  model_base_url?: string
  /** Where the sandboxes ran, present only when not the default `local` (so local runs keep their hash). */
  backend?: string
  /** The task images a backend other than `local` (which runs no image) ran: their namespace and name template. */
  image?: { namespace: string; template: string }
  /** The message bus agents talked through (or kept task lists on), present only when used and not the default `memory`. */
  bus?: string
  /** Only when not `cooperbench-0.0.14` (older runs were judged so: their hash stays); a resume under another policy is refused. */
  evaluation_policy?: EvaluationPolicy
  /** The plugins that made the run, by kind, `name@version` (the bus only when used): never resumed or pooled across versions. */
  plugins?: Record<string, string>
  /** The seat roles given their own agent or model (`seats.<role>`), each as the run's are recorded; absent when none is. */
  seats?: Record<string, SeatFingerprint>
  /** What the setting records of its options (`SettingShape.record`, e.g. a team's `team_features`). */
  [settingKey: string]: unknown
}

/** One seat role's agent as the fingerprint records it. */
export interface SeatFingerprint {
  agent: string
  model: string | null
  prompt_profile: string
  agent_release?: string
}

export interface FingerprintExtra {
  agentConfigDigest: string | null
  /** The agent registration's `release(options)`, when it has one. */
  agentRelease?: string | null
  harnessVersion: string
  promptProfile: string
  /**
   * How the setting uses the harness: whether its agents message, share a remote (`'always'`: whatever `--git` says), keep shared logs on
   * the bus, and what it records of its options.
   */
  setting?: { messaging: boolean; git: boolean | 'always'; logs?: boolean; judgedByMerge: boolean; record?: Record<string, unknown> }
  /** The plugins that made the run, by kind (`name@version`). */
  plugins?: Record<string, string>
  seats?: Record<string, SeatFingerprint>
}

export type FingerprintInput = Pick<
  ResolvedConfig,
  'setting' | 'agent' | 'messagingEnabled' | 'gitEnabled' | 'stepLimit' | 'costLimit' | 'agentTimeoutSeconds'
> & {
  /** null for an agent that calls no model. */
  modelName: string | null
  pairSize?: number
  modelBaseUrl?: string | null
} & Partial<Pick<ResolvedConfig, 'backend' | 'bus' | 'image' | 'policy'>>

/** A configuration's fingerprint and its hash: sha256 hex of its canonical JSON (keys sorted, no whitespace), equal for equal ones. */
export function configFingerprint(resolved: FingerprintInput, extra: FingerprintExtra): { fingerprint: ConfigFingerprint; hash: string } {
  // Without a setting's shape (fingerprints of files written before settings were plugins), nothing is shared.
  const uses = extra.setting ?? { messaging: false, git: false, judgedByMerge: false }
  const fingerprint: ConfigFingerprint = {
    setting: resolved.setting,
    agent: resolved.agent,
    model: resolved.modelName,
    messaging_enabled: uses.messaging && resolved.messagingEnabled,
    git_enabled: uses.git === 'always' || (uses.git && resolved.gitEnabled),
    agent_config_digest: extra.agentConfigDigest,
    prompt_profile: extra.promptProfile,
    limits: {
      step_limit: resolved.stepLimit,
      cost_limit: resolved.costLimit,
      agent_timeout_seconds: resolved.agentTimeoutSeconds,
    },
    harness_version: extra.harnessVersion,
  }
  if (extra.agentRelease) fingerprint.agent_release = extra.agentRelease
  if (resolved.pairSize !== undefined && resolved.pairSize !== 2) fingerprint.pair_size = resolved.pairSize
  if (resolved.modelBaseUrl) fingerprint.model_base_url = resolved.modelBaseUrl
  if (resolved.backend !== undefined && resolved.backend !== 'local') {
    fingerprint.backend = resolved.backend
    if (resolved.image !== undefined) fingerprint.image = { namespace: resolved.image.namespace, template: resolved.image.template }
  }
  // A shared log (a task list) lives on the bus too: the bus counts when agents message or a setting keeps logs on it.
  const usesBus = (uses.messaging && resolved.messagingEnabled) || uses.logs === true
  if (usesBus && resolved.bus !== undefined && resolved.bus !== 'memory') fingerprint.bus = resolved.bus
  if (uses.judgedByMerge && resolved.policy !== undefined && resolved.policy !== UNNAMED_EVALUATION_POLICY) fingerprint.evaluation_policy = resolved.policy
  if (extra.plugins !== undefined) fingerprint.plugins = usesBus ? extra.plugins : withoutBus(extra.plugins)
  if (extra.seats !== undefined && Object.keys(extra.seats).length > 0) fingerprint.seats = extra.seats
  Object.assign(fingerprint, uses.record ?? {})
  return { fingerprint, hash: sha256Hex(canonicalJson(fingerprint)) }
}

function withoutBus(plugins: Record<string, string>) {
  const { bus: _bus, ...rest } = plugins
  return rest
}

/** sha256 hex of an agent config file's bytes: the `agent_config_digest` of the fingerprint. */
export function agentConfigDigest(content: string | Uint8Array): string {
  return sha256Hex(content)
}

/** JSON with object keys sorted at every level and no whitespace. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value))
}

/**
 * A line per differing field, in `a`'s order: `limits.step_limit: 100 → 50`, `prompt_profile: (absent) → "v2"`; a field absent for
 * holding its default shows it (`evaluation_policy: "cooperbench-0.0.14" → …`). Takes fingerprints from older versions' files.
 */
export function diffFingerprints(a: object, b: object): string[] {
  const left = flatten(a)
  const right = flatten(b)
  return [...new Set([...left.keys(), ...right.keys()])]
    .filter((path) => canonicalJson(left.get(path)) !== canonicalJson(right.get(path)))
    .map((path) => `${path}: ${show(path, left.get(path))} → ${show(path, right.get(path))}`)
}

/** What a field written only when it is not the default means when absent (`configFingerprint`): a run's policy is named, never "(absent)". */
const MEANT_WHEN_ABSENT: Record<string, unknown> = { evaluation_policy: UNNAMED_EVALUATION_POLICY, backend: 'local', pair_size: 2 }

function show(path: string, value: unknown) {
  if (value === undefined) return path in MEANT_WHEN_ABSENT ? JSON.stringify(MEANT_WHEN_ABSENT[path]) : '(absent)'
  return JSON.stringify(value)
}

function flatten(value: object, prefix = '', into = new Map<string, unknown>()) {
  for (const [key, item] of Object.entries(value)) {
    const path = prefix === '' ? key : `${prefix}.${key}`
    if (isPlainObject(item) && Object.keys(item).length > 0) flatten(item, path, into)
    else into.set(path, item)
  }
  return into
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (isPlainObject(value)) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys(value[key])]),
    )
  }
  return value
}

function sha256Hex(content: string | Uint8Array) {
  return createHash('sha256').update(content).digest('hex')
}
