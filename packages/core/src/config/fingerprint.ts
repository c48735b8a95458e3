import { createHash } from 'node:crypto'
import { type EvaluationPolicy, UNNAMED_EVALUATION_POLICY } from '@cooperbench/spec'
import type { TeamFeatures } from '@cooperbench/spec/team'
import { isPlainObject } from './objects.js'
import { teamFeaturesOf } from './team-features.js'
import type { ResolvedConfig } from './types.js'

/**
 * What decides whether results in a run folder were produced by the same configuration
 * (docs/reference-compatibility.md#cli). Snake_case: it is written to `config.json` and `result.json`.
 */
export interface ConfigFingerprint {
  setting: ResolvedConfig['setting']
  agent: string
  /** null for an agent that calls no model. */
  model: string | null
  /** Messaging in effect: always false in solo, where there is nobody to talk to. */
  messaging_enabled: boolean
  /** The shared git remote in effect: always false in solo (`--git` is coop only). */
  git_enabled: boolean
  /** sha256 hex of the agent config file, or null without one. */
  agent_config_digest: string | null
  /** What the agent runs beyond its plugin (a CLI's pinned package), when its registration says. */
  agent_release?: string
  prompt_profile: string
  limits: { step_limit: number; cost_limit: number; agent_timeout_seconds: number | null }
  harness_version: string
  /** Features per team, present only when it is not 2 (so pair runs keep their hash). */
  team_size?: number
  /** The OpenAI-compatible server the model was called at, present only when set. */
  model_base_url?: string
  /** Where the sandboxes ran, present only when not the default `local` (so local runs keep their hash). */
  backend?: string
  /** The task images a backend other than `local` (which runs no image) ran: their namespace and name template. */
  image?: { namespace: string; template: string }
  /** The message bus coop agents talked through, present only when messaging and not the default `memory`. */
  bus?: string
  /**
   * How coop teams are judged, present only when not `cooperbench-0.0.14`: every run made before
   * policies existed was judged as 0.0.14 judges, so its hash stays, and a resume under another
   * policy is refused instead of mixing verdicts of two policies in one run.
   */
  evaluation_policy?: EvaluationPolicy
  /** The team's coordination features, present in the team setting only: an ablation is another configuration. */
  team_features?: TeamFeatures
}

export interface FingerprintExtra {
  agentConfigDigest: string | null
  /** The agent registration's `release(options)`, when it has one. */
  agentRelease?: string | null
  harnessVersion: string
  promptProfile: string
}

export type FingerprintInput = Pick<
  ResolvedConfig,
  'setting' | 'agent' | 'messagingEnabled' | 'gitEnabled' | 'stepLimit' | 'costLimit' | 'agentTimeoutSeconds'
> & {
  /** The team features (`team`); only read in the team setting. */
  team?: ResolvedConfig['team']
  /** null for an agent that calls no model. */
  modelName: string | null
  teamSize?: number
  modelBaseUrl?: string | null
} & Partial<Pick<ResolvedConfig, 'backend' | 'bus' | 'image' | 'policy'>>

/**
 * The fingerprint of a configuration and its hash: sha256 hex of the fingerprint's canonical
 * JSON (keys sorted, no whitespace), so equal configurations always hash equally.
 */
export function configFingerprint(resolved: FingerprintInput, extra: FingerprintExtra): { fingerprint: ConfigFingerprint; hash: string } {
  // A team is a coop pair with more coordination: messaging, --git, the bus and the policy count as in coop.
  const coop = resolved.setting === 'coop' || resolved.setting === 'team'
  const fingerprint: ConfigFingerprint = {
    setting: resolved.setting,
    agent: resolved.agent,
    model: resolved.modelName,
    messaging_enabled: coop && resolved.messagingEnabled,
    git_enabled: coop && resolved.gitEnabled,
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
  if (resolved.teamSize !== undefined && resolved.teamSize !== 2) fingerprint.team_size = resolved.teamSize
  if (resolved.modelBaseUrl) fingerprint.model_base_url = resolved.modelBaseUrl
  if (resolved.backend !== undefined && resolved.backend !== 'local') {
    fingerprint.backend = resolved.backend
    if (resolved.image !== undefined) fingerprint.image = { namespace: resolved.image.namespace, template: resolved.image.template }
  }
  const teamFeatures = resolved.setting === 'team' && resolved.team !== undefined ? teamFeaturesOf(resolved.team) : null
  // A team's task list lives on the bus too: the bus counts when the team messages or shares a list.
  const usesBus = coop && (resolved.messagingEnabled || teamFeatures?.task_list === true)
  if (usesBus && resolved.bus !== undefined && resolved.bus !== 'memory') fingerprint.bus = resolved.bus
  if (coop && resolved.policy !== undefined && resolved.policy !== UNNAMED_EVALUATION_POLICY) fingerprint.evaluation_policy = resolved.policy
  if (teamFeatures !== null) fingerprint.team_features = teamFeatures
  return { fingerprint, hash: sha256Hex(canonicalJson(fingerprint)) }
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
 * The fields in which two fingerprints differ, one line each, in the order of `a`'s fields:
 * `model: "gpt-4o" → "gpt-5"`, `limits.step_limit: 100 → 50`, `prompt_profile: (absent) → "v2"`.
 * Accepts fingerprints read back from files, which may come from older versions.
 */
export function diffFingerprints(a: object, b: object): string[] {
  const left = flatten(a)
  const right = flatten(b)
  return [...new Set([...left.keys(), ...right.keys()])]
    .filter((path) => canonicalJson(left.get(path)) !== canonicalJson(right.get(path)))
    .map((path) => `${path}: ${show(left.get(path))} → ${show(right.get(path))}`)
}

function show(value: unknown): string {
  return value === undefined ? '(absent)' : JSON.stringify(value)
}

function flatten(value: object, prefix = '', into = new Map<string, unknown>()): Map<string, unknown> {
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

function sha256Hex(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex')
}
