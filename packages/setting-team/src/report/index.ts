import type { SettingReporter } from '@cooperbench/spec/report'
import { buildTeamAblations } from './team-ablation.js'
import { featuresText, recordedFeatures } from './team-features.js'
import { teamRowOf } from './team-row.js'
import { refusedTeamAblationSection, teamAblationSection, teamRunsSection } from './team-sections.js'

/**
 * The team's part of `cooperbench report`: a run is told apart by its features (`no scratchpad`),
 * and the report gains the team runs' table (lead, features, passes by strategy, the task board's
 * metrics), the one-feature-off ablations and the team runs left out of them.
 */
export const teamReporter: SettingReporter = {
  variant: (run) => featuresText(recordedFeatures(run)),
  sections(runs, tools) {
    if (runs.length === 0) return []
    const rows = runs.map(teamRowOf)
    const { ablations, refused } = buildTeamAblations(rows, tools)
    return [
      teamRunsSection(rows),
      ...ablations.map((a, i) => teamAblationSection(a, ablations.length > 1 ? `-${i + 1}` : '')),
      ...(refused.length > 0 ? [refusedTeamAblationSection(refused)] : []),
    ]
  },
}
