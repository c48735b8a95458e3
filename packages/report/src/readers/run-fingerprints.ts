import { join } from 'node:path'
import { diffFingerprints } from '@cooperbench/core/config'
import { readJsonIfPresent, RunFiles } from '@cooperbench/core/results'
import type { Setting } from '@cooperbench/spec'
import { isRecord } from './json-record.js'

/** A setting's configuration fingerprint as `config.json` stores it (possibly from an older version). */
export type StoredFingerprint = Record<string, unknown>

/**
 * The fingerprint of each setting of a run folder, from its `config.json`: `fingerprints[setting].value`,
 * or the single `fingerprint` of an older file for the setting it names. Empty without a config.json.
 */
export async function readRunFingerprints(runDirectory: string): Promise<Partial<Record<Setting, StoredFingerprint>>> {
  const config = await readJsonIfPresent<{
    setting?: unknown
    fingerprint?: unknown
    fingerprints?: Partial<Record<Setting, { value?: unknown }>>
  }>(join(runDirectory, RunFiles.config))
  const found: Partial<Record<Setting, StoredFingerprint>> = {}
  for (const setting of ['solo', 'coop', 'team'] as const) {
    const value = config?.fingerprints?.[setting]?.value
    if (isRecord(value)) found[setting] = value
    else if (config?.setting === setting && isRecord(config.fingerprint)) found[setting] = config.fingerprint
  }
  return found
}

/**
 * The fields a solo run and a coop run must share for their rates to be compared: who worked
 * (agent and its config file), with which model, under which limits and prompts. Setting-specific
 * fields (messaging, git) and the harness version are expected to differ or do not change results;
 * so is where the model was served (`model_base_url`: the same model behind another port or host),
 * which `servedElsewhere` reports as a note instead.
 */
export const COMPARED_FINGERPRINT_FIELDS = ['agent', 'model', 'agent_config_digest', 'prompt_profile', 'limits'] as const

/** A note when the two runs called the model at different base URLs (same model, another server), else null. */
export function servedElsewhere(solo: StoredFingerprint, coop: StoredFingerprint): string | null {
  const [a, b] = [solo.model_base_url ?? null, coop.model_base_url ?? null]
  return a === b ? null : `the model was served at different base URLs: ${JSON.stringify(a)} (solo) and ${JSON.stringify(b)} (coop)`
}

/** `model: "gpt-4o" → "gpt-5"` lines for every compared field in which the two fingerprints differ. */
export function fingerprintMismatch(solo: StoredFingerprint, coop: StoredFingerprint): string[] {
  return diffFingerprints(pickCompared(solo), pickCompared(coop))
}

function pickCompared(fingerprint: StoredFingerprint): Record<string, unknown> {
  return Object.fromEntries(COMPARED_FINGERPRINT_FIELDS.filter((k) => fingerprint[k] !== undefined).map((k) => [k, fingerprint[k]]))
}
