import type { SettingReporter } from '@cooperbench/spec/report'
import { buildTeamAblations } from './team-ablation.js'
import { featuresText, recordedFeatures } from './team-features.js'
import { teamRowOf } from './team-row.js'
import { refusedTeamAblationSection, teamAblationSection, teamRunsSection } from './team-sections.js'

/** The team's part of `cooperbench report`: runs told apart by their features, the team runs' table, the ablations and the runs left out. */
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
