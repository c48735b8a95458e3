import { join } from 'node:path'
import { diffFingerprints } from '@cooperbench/config'
import { isObject, readJsonIfPresent, RunFiles } from '@cooperbench/results'
import type { SettingName as Setting } from '@cooperbench/spec'

/** A setting's configuration fingerprint as `config.json` stores it (possibly from an older version). */
export type StoredFingerprint = Record<string, unknown>

/** Each setting's fingerprint from config.json: `fingerprints[setting].value`, or an older file's single `fingerprint`; empty without one. */
export async function readRunFingerprints(runDirectory: string): Promise<Record<Setting, StoredFingerprint>> {
  const config = await readJsonIfPresent<{
    setting?: unknown
    fingerprint?: unknown
    fingerprints?: Record<Setting, { value?: unknown }>
  }>(join(runDirectory, RunFiles.config))
  const found: Record<Setting, StoredFingerprint> = {}
  for (const [setting, stored] of Object.entries(isObject(config?.fingerprints) ? config.fingerprints : {})) {
    if (isObject(stored?.value)) found[setting] = stored.value
  }
  if (typeof config?.setting === 'string' && !(config.setting in found) && isObject(config.fingerprint)) found[config.setting] = config.fingerprint
  return found
}

/**
 * What solo and coop runs must share to be compared: agent (and config file), model, limits, prompts, and the agents and models of
 * seat roles (a coop run whose workers ran a cheaper model is not set against a solo run of the run's model). Setting fields
 * (messaging, git) and harness version may differ, as may `model_base_url` (same model elsewhere), which `servedElsewhere` notes instead.
 */
export const COMPARED_FINGERPRINT_FIELDS = ['agent', 'model', 'agent_config_digest', 'prompt_profile', 'limits', 'seats'] as const

/** A note when the two runs called the model at different base URLs (same model, another server), else null. */
export function servedElsewhere(solo: StoredFingerprint, coop: StoredFingerprint): string | null {
  const [a, b] = [solo.model_base_url ?? null, coop.model_base_url ?? null]
  return a === b ? null : `the model was served at different base URLs: ${JSON.stringify(a)} (solo) and ${JSON.stringify(b)} (coop)`
}

/** The fields that say which prompts and configuration file the agent ran with. */
const CONFIGURATION_FIELDS: ReadonlySet<string> = new Set(['agent_config_digest', 'prompt_profile'])

/**
 * `model: "gpt-4o" → "gpt-5"` lines for every compared field in which the two fingerprints differ (`plugins.agent` too). With
 * `upstreamFilePerSetting`, two runs on upstream's own configuration files (both `prompt_profile`s `reference-…`) may differ in
 * those files: upstream's recipe runs solo from `solo.yaml` (swe_agent: `default.yaml`) and coop from `coop.yaml`, so its
 * paper's deficit sets two files against each other ({@link upstreamFilesNote} says so beside the figure).
 */
export function fingerprintMismatch(solo: StoredFingerprint, coop: StoredFingerprint, { upstreamFilePerSetting = false } = {}): string[] {
  const skip = upstreamFilePerSetting && upstreamFiles(solo, coop) ? CONFIGURATION_FIELDS : new Set<string>()
  return diffFingerprints(pickCompared(solo, coop, skip), pickCompared(coop, solo, skip))
}

/** Whether both runs follow upstream's prompts from a configuration file of upstream's (`reference-…`). */
function upstreamFiles(solo: StoredFingerprint, coop: StoredFingerprint): boolean {
  return [solo, coop].every((f) => typeof f.prompt_profile === 'string' && f.prompt_profile.startsWith('reference-'))
}

/** A note when a solo and a coop run on upstream's files ran different files (as upstream's recipe does), else null. */
export function upstreamFilesNote(solo: StoredFingerprint, coop: StoredFingerprint): string | null {
  if (!upstreamFiles(solo, coop) || solo.prompt_profile === coop.prompt_profile) return null
  return `the agent ran upstream's configuration file of each setting, as upstream's recipe does: ${String(solo.prompt_profile)} (solo) and ${String(coop.prompt_profile)} (coop)`
}

/** The compared fields but `skip`, and the agent's and evaluator's plugins when both record them (a fixed agent 1.0.1 is not the 1.0.0 it would be set against). */
function pickCompared(fingerprint: StoredFingerprint, other: StoredFingerprint, skip: ReadonlySet<string>) {
  const compared = COMPARED_FINGERPRINT_FIELDS.filter((k) => fingerprint[k] !== undefined && !skip.has(k))
  const picked = Object.fromEntries(compared.map((k) => [k, fingerprint[k]]))
  const [mine, theirs] = [fingerprint.plugins, other.plugins] as Array<Record<string, unknown> | undefined>
  if (mine && theirs) picked.plugins = { agent: mine.agent, evaluator: mine.evaluator }
  return picked
}
