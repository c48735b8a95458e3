import { showsPolicies } from '../model/policy-rates.js'
import type { RunReport } from '../model/report.js'
import { ablationRecords, ablationSection, refusedAblationsSection } from './sections/ablation.js'
import { analysisRecords, analysisSection, analysisTable } from './sections/analysis.js'
import { refusedComparisonsSection } from './sections/comparisons.js'
import { deficitSections } from './sections/deficits.js'
import { evalErrorsSection } from './sections/eval-errors.js'
import { leaderboardRecords, leaderboardSection } from './sections/leaderboard.js'
import { runBlockSections } from './sections/run-blocks.js'
import { runRecordSections } from './sections/run-records.js'
import { mergeSection, overallSection, perRepoGroupsSection, perRepoSection, policiesSection } from './sections/runs.js'
import type { ReportSection } from './sections/section-model.js'
import { timingSection } from './sections/timing.js'
import { unreadableSection } from './sections/unreadable.js'

/**
 * Every section in print order: a table added here (built in `sections/`) is in every format, each rendering those it shows (`only`). A format's
 * own form of the same numbers (text's run blocks, deficit sentences, LaTeX's columns, CSV's records) is a section shown in that format only.
 */
export function tableSections(report: RunReport): ReportSection[] {
  const sections = [overallSection(report), ...runBlockSections(report), ...runRecordSections(report)]
  if (report.leaderboard.length > 0) sections.push(leaderboardSection(report.leaderboard))
  if (report.settings.some((s) => s.byMerge.length > 0)) sections.push(mergeSection(report))
  // A policy table when some coop row was re-scored or its verdicts name their policy.
  if (report.settings.some(showsPolicies)) sections.push(policiesSection(report))
  if (report.settings.length > 0) sections.push(perRepoSection(report), perRepoGroupsSection(report))
  if (report.deficits.length > 0) sections.push(...deficitSections(report.deficits))
  // The tidy table has always listed the deficits before the leaderboard made of them.
  sections.push(...leaderboardRecords(report.leaderboard))
  if (report.refused.length > 0) sections.push(refusedComparisonsSection(report.refused))
  for (const [i, a] of report.analyses.entries()) {
    sections.push(analysisSection(a), analysisTable(a, i, report.analyses.length), ...analysisRecords(a))
  }
  for (const [i, a] of report.ablations.entries()) sections.push(ablationSection(a, i, report.ablations.length), ...ablationRecords(a, i))
  if (report.refusedAblations.length > 0) sections.push(refusedAblationsSection(report.refusedAblations))
  if (report.settings.length > 0) sections.push(timingSection(report.settings))
  sections.push(...report.settingSections)
  // What no rate counts, last: pairs evaluated without a verdict, then files that could not be read.
  if (report.settings.some((s) => s.errors > 0)) sections.push(evalErrorsSection(report.settings))
  if (report.unreadable.length > 0) sections.push(unreadableSection(report.unreadable))
  return sections
}
