import type { ReportedRun } from '@cooperbench/spec/report'
import { readTeamFeatures, TEAM_FEATURE_NAMES, type TeamFeatures, WITH_TASK_COMMANDS } from '../team-types.js'

/** One of upstream's five team features (`task_list`, `scratchpad`, `mcp`, `auto_refresh`, `protocol`), or ours, `task_commands` (any task list). */
export type TeamFeatureName = (typeof TEAM_FEATURE_NAMES)[number] | 'task_commands'

/** A team run's features: its pairs' result.json `team_features`, else config.json's; `mixed` when the pairs disagree (resumed under other flags). */
export function recordedFeatures(run: ReportedRun): { features: TeamFeatures | null; mixed: boolean } {
  const recorded = run.pairs.map((p) => readTeamFeatures(p.result.team_features)).filter((f): f is TeamFeatures => f !== null)
  const distinct = new Set(recorded.map((f) => featuresOff(f).join()))
  if (distinct.size > 1) return { features: null, mixed: true }
  return { features: recorded[0] ?? readTeamFeatures(run.fingerprint?.team_features), mixed: false }
}

/** The features that are off, in upstream's order (`task_commands` alone for what it switches off with it). */
export function featuresOff(features: TeamFeatures): TeamFeatureName[] {
  const off = TEAM_FEATURE_NAMES.filter((name) => !features[name])
  return features.task_commands === false ? [...off.filter((name) => !(WITH_TASK_COMMANDS as readonly TeamFeatureName[]).includes(name)), 'task_commands'] : off
}

/** `all features`, `no scratchpad`, `no task_list, no mcp`: a team run's features as a reader says them. */
export function featuresText({ features, mixed }: { features: TeamFeatures | null; mixed: boolean }): string {
  if (mixed) return 'mixed features'
  if (features === null) return 'features unknown'
  const off = featuresOff(features)
  return off.length === 0 ? 'all features' : off.map((name) => `no ${name}`).join(', ')
}

/** The `--team-no-*` flag that turns a feature off: `task_list` → `--team-no-task-list`. */
export function featureFlag(name: TeamFeatureName): string {
  return `--team-no-${name.replaceAll('_', '-')}`
}
