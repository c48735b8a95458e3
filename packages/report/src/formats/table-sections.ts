import type { RunReport } from '../model/report.js'
import { ablationSection, refusedAblationsSection } from './sections/ablation.js'
import { analysisSection } from './sections/analysis.js'
import { deficitsSection, refusedComparisonsSection } from './sections/comparisons.js'
import { evalErrorsSection } from './sections/eval-errors.js'
import { leaderboardSection } from './sections/leaderboard.js'
import { hasPolicies, mergeSection, overallSection, perRepoSection, policiesSection } from './sections/runs.js'
import type { TableSection } from './sections/section-model.js'
import { refusedTeamAblationSection, teamAblationSection, teamRunsSection, timingSection } from './sections/team.js'
import { unreadableSection } from './sections/unreadable.js'

/**
 * Every table of the report, in the order every format prints them: a new table is added here
 * (and built in `sections/`), and each format renders it with its one `render…Section`.
 */
export function tableSections(report: RunReport): TableSection[] {
  const sections = [overallSection(report)]
  if (report.leaderboard.length > 0) sections.push(leaderboardSection(report.leaderboard))
  if (report.settings.some((s) => s.setting !== 'solo')) sections.push(mergeSection(report))
  if (hasPolicies(report)) sections.push(policiesSection(report))
  if (report.settings.length > 0) sections.push(perRepoSection(report))
  if (report.deficits.length > 0) sections.push(deficitsSection(report.deficits))
  if (report.refused.length > 0) sections.push(refusedComparisonsSection(report.refused))
  for (const [i, a] of report.analyses.entries()) sections.push(analysisSection(a, i, report.analyses.length))
  for (const [i, a] of report.ablations.entries()) sections.push(ablationSection(a, i, report.ablations.length))
  if (report.refusedAblations.length > 0) sections.push(refusedAblationsSection(report.refusedAblations))
  if (report.settings.length > 0) sections.push(timingSection(report.settings))
  const teams = report.settings.filter((s) => s.team !== null)
  if (teams.length > 0) sections.push(teamRunsSection(teams))
  for (const [i, a] of report.teamAblations.entries()) sections.push(teamAblationSection(a, report.teamAblations.length > 1 ? `-${i + 1}` : ''))
  if (report.refusedTeamAblations.length > 0) sections.push(refusedTeamAblationSection(report.refusedTeamAblations))
  // What no rate counts, last: pairs evaluated without a verdict, then files that could not be read.
  if (report.settings.some((s) => s.errors > 0)) sections.push(evalErrorsSection(report.settings))
  if (report.unreadable.length > 0) sections.push(unreadableSection(report.unreadable))
  return sections
}
