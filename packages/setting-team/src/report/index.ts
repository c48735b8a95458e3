import type { SettingReporter } from '@cooperbench/spec/report'
import { buildTeamAblations } from './team-ablation.js'
import { featuresText, recordedFeatures } from './team-features.js'
import { teamPairView } from './team-pair-view.js'
import { teamRowOf } from './team-row.js'
import { refusedTeamAblationSection, teamAblationSection, teamRunsSection } from './team-sections.js'

/**
 * The team's part of `cooperbench report` and `view`: runs told apart by their features, the team runs' table, the ablations and the
 * runs left out; a pair's features, metrics, task log, final tasks and scratchpad.
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
  pairView: teamPairView,
}
