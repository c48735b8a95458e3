import { type PolicyRate, strategyMixText } from '../../model/policy-rates.js'
import type { RateRow, RunReport, SettingReport } from '../../model/report.js'
import { judged, MERGE_OUTCOME_NAMES, modelText, reposOf, repoRow, rowName, runList, settingName, subsetEntriesMissingText } from '../labels.js'
import { type ColumnOf, cost, count, formatOnly, fraction, interval, NONE, rate, rateOf, rateOfJudged, type SectionFormat } from './section-model.js'
import { type ReportSection, tableOf, text } from './section-model.js'

/** A row per run and setting: agent, model, the counts, the rate with its interval, the strict rate and the cost. */
export function overallSection(report: RunReport): ReportSection {
  const columns: Array<ColumnOf<SettingReport>> = [
    { label: 'run', cell: (s) => text(runList(s)) },
    { label: 'agent', cell: (s) => text(s.agent ?? '?') },
    { label: 'model', cell: (s) => text(modelText(s)) },
    { label: 'setting', cell: (s) => text(settingCell(s)) },
    { label: 'Comm.', only: ['latex'], cell: (s) => text(communicationName(s)) },
    { label: 'pairs', align: 'right', only: ['md'], cell: (s) => count(s.pairs) },
    { label: 'evaluated', align: 'right', only: ['md'], cell: (s) => count(s.evaluated) },
    { label: 'passed', align: 'right', only: ['md'], cell: (s) => count(s.passed) },
    { label: 'passed', align: 'right', only: ['latex'], cell: (s) => fraction(s.passed, judged(s)) },
    { label: 'failed', align: 'right', only: ['md'], cell: (s) => count(s.failed) },
    { label: 'eval errors', align: 'right', header: { latex: 'Errors' }, cell: (s) => count(s.errors) },
    { label: 'rate', align: 'right', header: { latex: 'Rate (%)' }, cell: (s) => rate(s.rate) },
    { label: '95% CI', cell: (s) => interval(s.ci) },
    { label: 'strict rate', align: 'right', header: { latex: 'Strict (%)' }, cell: (s) => rate(s.strict.rate) },
    { label: 'cost', align: 'right', header: { latex: 'Cost ($)' }, cell: cost },
  ]
  const missingEntries = report.settings.filter((s) => s.subsetEntriesMissing.length > 0)
  return {
    id: 'overall',
    title: '',
    caption:
      'Pass rate: share of judged pairs whose features all pass after the merge (union-merge fallback included, as in the reference), ' +
      'with a 95% Wilson interval. Strict: the merge was clean and all features pass. Pairs whose evaluation failed are left out.',
    ...tableOf(columns, report.settings),
    notes: missingEntries.map((s) => `${rowName(s)}: ${subsetEntriesMissingText(s)}`),
    // Text reads each run as a block of its own (run-blocks.ts); CSV, a record per measure (run-records.ts).
    only: ['md', 'latex'],
  }
}

/** A row per coop (or team) run and merge outcome: how often pairs with that merge passed. */
export function mergeSection(report: RunReport): ReportSection {
  const columns: Array<ColumnOf<{ s: SettingReport; m: SettingReport['byMerge'][number] }>> = [
    { label: multiRunHeader(report), only: ['md'], cell: ({ s }) => text(runName(s)) },
    { label: 'run', only: ['latex'], cell: ({ s }) => text(runList(s)) },
    { label: 'agent', only: ['latex'], cell: ({ s }) => text(s.agent ?? '?') },
    { label: 'model', only: ['latex'], cell: ({ s }) => text(modelText(s)) },
    { label: 'Comm.', only: ['latex'], cell: ({ s }) => text(communicationName(s)) },
    { label: 'merge outcome', cell: ({ m }) => text(MERGE_OUTCOME_NAMES[m.outcome]) },
    { label: 'pairs', align: 'right', only: ['md'], cell: ({ m }) => count(m.pairs) },
    { label: 'passed', align: 'right', only: ['md'], cell: ({ m }) => count(m.passed) },
    { label: 'passed', align: 'right', only: ['latex'], cell: ({ m }) => fraction(m.passed, m.pairs) },
    { label: 'pass rate', align: 'right', header: { latex: 'Rate (%)' }, cell: ({ m }) => rate(m.rate) },
  ]
  const rows = report.settings.flatMap((s) => s.byMerge.map((m) => ({ s, m })))
  return {
    id: 'merge',
    title: '',
    caption: 'Pass rate of coop pairs by how their patches merged.',
    ...tableOf(columns, rows),
    notes: [],
    only: ['md', 'latex'],
  }
}

/** Each coop run's rate under every evaluation policy it has verdicts for, both denominators, and the strategies behind the passes. */
export function policiesSection(report: RunReport): ReportSection {
  const textAndMd: SectionFormat[] = ['text', 'md']
  const latex: SectionFormat[] = ['latex']
  const withErrors = (p: PolicyRate) => rateOf(p.rateWithErrors, p.passed, p.evaluated)
  const columns: Array<ColumnOf<PolicyRate & { row: SettingReport }>> = [
    { label: multiRunHeader(report), only: textAndMd, cell: (p) => text(runName(p.row)) },
    { label: 'run', only: latex, cell: (p) => text(runList(p.row)) },
    { label: 'policy', cell: (p) => text(p.policy) },
    { label: 'verdicts', only: textAndMd, cell: (p) => text(p.file) },
    { label: 'judged', align: 'right', only: textAndMd, cell: (p) => fraction(p.evaluated, p.pairs) },
    { label: 'passed', align: 'right', only: textAndMd, cell: (p) => count(p.passed) },
    { label: 'failed', align: 'right', only: textAndMd, cell: (p) => count(p.failed) },
    { label: 'eval errors', align: 'right', only: textAndMd, cell: (p) => count(p.errors) },
    { label: 'passed', align: 'right', only: latex, cell: (p) => text(`${p.passed}/${judged(p)} (${p.errors} err.)`) },
    { label: 'rate, errors out', align: 'right', only: textAndMd, cell: rateOfJudged },
    { label: 'Rate (%), errors out', align: 'right', only: latex, cell: (p) => rate(p.rate) },
    { label: 'rate, errors in', align: 'right', only: textAndMd, cell: withErrors },
    { label: 'Rate (%), errors in', align: 'right', only: latex, cell: (p) => rate(p.rateWithErrors) },
    { label: 'passes by strategy', cell: (p) => text(strategyMixText(p.passesBy)) },
  ]
  const rows = report.settings.flatMap((row) => row.policies.map((p) => ({ ...p, row })))
  // Verdicts of part of a run (a re-score interrupted or filtered) are not of the same pairs as the others.
  const partial = rows.filter((p) => p.evaluated < p.pairs)
  const parts = partial.map((p) => `${runName(p.row)} under ${p.policy} (${p.evaluated} of ${p.pairs})`)
  return {
    id: 'policies',
    title: `Rates by evaluation policy (${partial.length === 0 ? 'the same pairs' : 'some judged on part of the pairs'})`,
    caption:
      'Coop pass rate of the same pairs under each evaluation policy (the upstream CooperBench version whose merge rule it follows), ' +
      'with eval errors left out of and counted in the denominator.' +
      (partial.length === 0
        ? ''
        : ` Judged on part of the pairs only, so not comparable: ${parts.join(', ')}; \`cooperbench eval -n RUN --policy P\` judges the rest.`),
    ...tableOf(columns, rows),
    notes: [],
    only: ['text', 'md', 'latex'],
  }
}

/** A row per repository and run, the repository named on its first row: as many columns for any number of runs. */
export function perRepoSection(report: RunReport): ReportSection {
  const columns: Array<ColumnOf<{ repo: string; s: SettingReport; row: RateRow }>> = [
    { label: 'repo', header: { latex: 'Repository' }, cell: ({ repo }) => text(repo) },
    { label: 'run', cell: ({ s }) => text(runList(s)) },
    { label: 'setting', cell: ({ s }) => text(settingAndCommunication(s)) },
    { label: 'rate', align: 'right', header: { latex: 'Rate (%)' }, cell: ({ row }) => rateOfJudged(row) },
    { label: '95% CI', cell: ({ row }) => interval(row.ci) },
  ]
  const rows = reposOf(report.settings).flatMap((repo) =>
    report.settings
      .flatMap((s) => {
        const row = repoRow(s, repo)
        return row ? [{ s, row }] : []
      })
      .map(({ s, row }, i) => ({ repo: i === 0 ? repo : '', s, row })),
  )
  return {
    id: 'per-repo',
    title: '',
    caption: 'Pass rate per repository and run (passed/judged) with 95% Wilson intervals.',
    ...tableOf(columns, rows),
    notes: [],
    // Markdown has a column group per run (a README shows few runs).
    only: ['latex'],
  }
}

/** Markdown's per-repo table: a row per repository, a column group (rate, interval) per run. */
export function perRepoGroupsSection(report: RunReport): ReportSection {
  const columns: Array<ColumnOf<string>> = [
    { label: 'repo', cell: (repo) => text(repo) },
    ...report.settings.flatMap(
      (s): Array<ColumnOf<string>> => [
        { label: `${rowName(s)} rate`, align: 'right', cell: (repo) => (repoRow(s, repo) ? rateOfJudged(repoRow(s, repo)!) : NONE) },
        { label: `${rowName(s)} 95% CI`, cell: (repo) => interval(repoRow(s, repo)?.ci ?? null) },
      ],
    ),
  ]
  return formatOnly('md', 'per-repo', tableOf(columns, reposOf(report.settings)))
}

/** The run of a coop row, `run (team)` for another setting's: the tables of every setting but solo name the others. */
function runName(s: SettingReport) {
  return s.setting === 'coop' ? runList(s) : `${runList(s)} (${s.setting})`
}

/** `coop run`, or `coop/team run` when settings other than coop merge patches too (their rows have merge outcomes). */
function multiRunHeader(report: RunReport) {
  const others = new Set(report.settings.filter((s) => s.byMerge.length > 0 && s.setting !== 'coop').map((s) => s.setting))
  return `${['coop', ...others].join('/')} run`
}

/** The setting cell of an overall table: the setting, and a warning when the run was interrupted. */
function settingCell(s: SettingReport) {
  return s.interrupted ? `${settingName(s)}, interrupted` : settingName(s)
}

/** The setting cell of the per-repo table: a coop or team row says its communication mode too. */
function settingAndCommunication(s: SettingReport) {
  return s.setting === 'solo' ? settingCell(s) : `${settingCell(s)}, ${communicationName(s)}`
}

/** `–` for a solo row, else the coop row's communication mode (`messaging`, `git`, `messaging + git`, `none`). */
function communicationName(s: SettingReport) {
  return s.setting === 'solo' ? '–' : (s.communication ?? '?')
}
