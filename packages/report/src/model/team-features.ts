import type { PairFolder } from '@cooperbench/core/results'
import { type TeamFeatures, TEAM_FEATURE_NAMES } from '@cooperbench/spec/team'
import { isRecord } from '../readers/json-record.js'
import type { StoredFingerprint } from '../readers/run-fingerprints.js'

/** One of the five team features (`task_list`, `scratchpad`, `mcp`, `auto_refresh`, `protocol`). */
export type TeamFeatureName = (typeof TEAM_FEATURE_NAMES)[number]

/**
 * The features a team run's pairs had: their result.json `team_features` when every pair that has
 * one agrees, else the fingerprint's (config.json); `mixed` when the pairs disagree (a run folder
 * resumed under other flags, or edited by hand): such a run is shown, never put in an ablation.
 */
export function teamFeaturesOf(pairs: PairFolder[], fingerprint: StoredFingerprint | null | undefined): { features: TeamFeatures | null; mixed: boolean } {
  const recorded = pairs.map((p) => (p.result?.setting === 'team' ? readFeatures(p.result.team_features) : null)).filter((f): f is TeamFeatures => f !== null)
  const distinct = new Set(recorded.map((f) => featuresKey(f)))
  if (distinct.size > 1) return { features: null, mixed: true }
  return { features: recorded[0] ?? readFeatures(fingerprint?.team_features), mixed: false }
}

/** The features a record holds, when it holds all five as booleans (an older or foreign file may not). */
export function readFeatures(value: unknown): TeamFeatures | null {
  if (!isRecord(value)) return null
  if (!TEAM_FEATURE_NAMES.every((name) => typeof value[name] === 'boolean')) return null
  return Object.fromEntries(TEAM_FEATURE_NAMES.map((name) => [name, value[name]])) as unknown as TeamFeatures
}

/** The features that are off, in upstream's order. */
export function featuresOff(features: TeamFeatures): TeamFeatureName[] {
  return TEAM_FEATURE_NAMES.filter((name) => !features[name])
}

/** `all features`, `no scratchpad`, `no task_list, no mcp`: a team run's features as a reader says them. */
export function featuresText(features: TeamFeatures | null, mixed = false): string {
  if (mixed) return 'mixed features'
  if (features === null) return 'features unknown'
  const off = featuresOff(features)
  return off.length === 0 ? 'all features' : off.map((name) => `no ${name}`).join(', ')
}

/** The `--team-no-*` flag that turns a feature off: `task_list` → `--team-no-task-list`. */
export function featureFlag(name: TeamFeatureName): string {
  return `--team-no-${name.replaceAll('_', '-')}`
}

function featuresKey(features: TeamFeatures): string {
  return TEAM_FEATURE_NAMES.map((name) => (features[name] ? '1' : '0')).join('')
}
