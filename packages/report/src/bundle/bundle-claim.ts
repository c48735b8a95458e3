import { join } from 'node:path'
import { isObject, type PairFolder, readJsonIfPresent, RunFiles } from '@cooperbench/results'
import { CooperbenchError } from '@cooperbench/spec'

/**
 * What a bundle claims of its runs, stated once in bundle.json: per run, what it ran on (subset,
 * dataset source) and per setting who ran it (agent and model, and each seat role's own), how (the
 * setting's options) and with what (harness and plugin versions). It is the run's configuration
 * fingerprint, its fields lifted out to be read: reassembled, it hashes to `fingerprint_hash`.
 */
export interface BundleClaim {
  runs: RunClaim[]
  /** `taskDigest` of every task the runs' pairs are of, by `<repo>/<task id>`. */
  dataset: { tasks: Record<string, string> }
}

export interface RunClaim {
  name: string
  pairs: number
  /** The subset the run selected (`-s`), null when none. */
  subset: string | null
  /** Where its dataset was downloaded from (`config.dataset_source`), null when not downloaded. */
  dataset_source: unknown
  /** One per setting the bundled pairs are of. */
  settings: SettingClaim[]
}

export interface SettingClaim {
  setting: string
  /** The agent and model of every seat but those `seats` names. */
  agent: string
  /** null: an agent that calls no model (the oracle), whose records show no model call. */
  model: string | null
  /** Seat roles that ran their own agent or model (`seats.<role>`), when any did. */
  seats?: Record<string, { agent: string; model: string | null; [key: string]: unknown }>
  harness_version?: string
  /** The plugins that made the run, by kind: `name (package@version)`. */
  plugins?: Record<string, string>
  /**
   * The rest of the fingerprint: messaging, git, limits, prompts, what the setting records of its
   * options.
   */
  options: Record<string, unknown>
  fingerprint_hash: string
}

const LIFTED = ['setting', 'agent', 'model', 'seats', 'harness_version', 'plugins'] as const

/** config.json as a claim reads it. */
export interface StoredRunConfig {
  setting?: unknown
  agent_framework?: unknown
  model?: unknown
  fingerprint?: unknown
  fingerprint_hash?: unknown
  fingerprints?: Record<string, { value?: unknown; hash?: unknown } | undefined>
  config?: Record<string, unknown>
}

/**
 * A setting's fingerprint and hash as config.json records them (an older file's single
 * `fingerprint` for its setting), or null.
 */
export function storedFingerprint(config: StoredRunConfig | null, setting: string): { value: Record<string, unknown>; hash: string } | null {
  const entry = isObject(config?.fingerprints) ? config.fingerprints[setting] : undefined
  if (isObject(entry?.value) && typeof entry.hash === 'string') return { value: entry.value, hash: entry.hash }
  if (config?.setting === setting && isObject(config.fingerprint) && typeof config.fingerprint_hash === 'string')
    return { value: config.fingerprint, hash: config.fingerprint_hash }
  return null
}

/** The claim of a run folder (as bundled) from its config.json, for the settings of its pairs. */
export async function claimOfRun(runDir: string, name: string, pairs: PairFolder[]): Promise<RunClaim> {
  const config = await readJsonIfPresent<StoredRunConfig>(join(runDir, RunFiles.config))
  const settings = [...new Set(pairs.map((pair) => pair.setting))].sort()
  return {
    name,
    pairs: pairs.length,
    subset: typeof config?.config?.['subset'] === 'string' ? config.config['subset'] : null,
    dataset_source: config?.config?.['dataset_source'] ?? null,
    settings: settings.map((setting) => {
      const stored = storedFingerprint(config, setting)
      if (stored === null) {
        throw new CooperbenchError('BUNDLE_INVALID', `run "${name}" records no fingerprint of its ${setting} pairs in config.json`, {
          hint: 'A bundle claims what each run ran with, from its fingerprint: bundle runs made by this version of cooperbench.',
        })
      }
      const options = Object.fromEntries(Object.entries(stored.value).filter(([key]) => !(LIFTED as readonly string[]).includes(key)))
      const lifted = Object.fromEntries(LIFTED.filter((key) => stored.value[key] !== undefined).map((key) => [key, stored.value[key]]))
      return { ...lifted, options, fingerprint_hash: stored.hash } as SettingClaim
    }),
  }
}

/** The fingerprint a setting's claim states: its lifted fields put back among its options. */
export function claimedFingerprint(claim: SettingClaim): Record<string, unknown> {
  const lifted = Object.fromEntries(LIFTED.filter((key) => claim[key] !== undefined).map((key) => [key, claim[key]]))
  return { ...claim.options, ...lifted }
}
