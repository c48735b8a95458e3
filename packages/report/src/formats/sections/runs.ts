import { showsPolicies, strategyMixText } from '../../model/policy-rates.js'
import type { RunReport, SettingReport } from '../../model/report.js'
import { judged, MERGE_OUTCOME_NAMES, modelText, reposOf, repoRow, settingName, subsetEntriesMissingText } from '../labels.js'
import { count, fraction, interval, rate, rateOf, type TableSection, text } from './section-model.js'

/** A row per run and setting: agent, model, the counts, the rate with its interval, the strict rate and the cost. */
export function overallSection(report: RunReport): TableSection {
  return {
    id: 'overall',
    title: '',
    caption:
      'Pass rate: share of judged pairs whose features all pass after the merge (union-merge fallback included, as in the reference), ' +
      'with a 95% Wilson interval. Strict: the merge was clean and all features pass. Pairs whose evaluation failed are left out.',
    columns: [
      { label: 'run', align: 'left' },
      { label: 'agent', align: 'left' },
      { label: 'model', align: 'left' },
      { label: 'setting', align: 'left' },
      { label: 'communication', align: 'left', only: ['latex'], header: { latex: 'Comm.' } },
      { label: unitName(report), align: 'right', only: ['md'] },
      { label: 'evaluated', align: 'right', only: ['md'] },
      { label: 'passed', align: 'right', only: ['md'] },
      { label: 'passed', align: 'right', only: ['latex'] },
      { label: 'failed', align: 'right', only: ['md'] },
      { label: 'eval errors', align: 'right', header: { latex: 'Errors' } },
      { label: 'rate', align: 'right', header: { latex: 'Rate (%)' } },
      { label: '95% CI', align: 'left' },
      { label: 'strict rate', align: 'right', header: { latex: 'Strict (%)' } },
      { label: 'cost', align: 'right', header: { latex: 'Cost ($)' } },
    ],
    rows: report.settings.map((s) => [
      text(s.runs.join(', ')),
      text(s.agent ?? '?'),
      text(modelText(s)),
      text(settingCell(s)),
      text(communicationName(s)),
      count(s.pairs),
      count(s.evaluated),
      count(s.passed),
      fraction(s.passed, judged(s)),
      count(s.failed),
      count(s.errors),
      rate(s.rate),
      interval(s.ci),
      rate(s.strict.rate),
      { kind: 'cost', cost: s.cost, unknownPairs: s.costUnknownPairs, pairs: s.pairs },
    ]),
    notes: report.settings
      .filter((s) => s.subsetEntriesMissing.length > 0)
      .map((s) => `${s.runs.join(', ')} (${settingName(s)}): ${subsetEntriesMissingText(s)}`),
    source: { kind: 'runs', settings: report.settings },
  }
}

/** A row per coop (or team) run and merge outcome: how often pairs with that merge passed. */
export function mergeSection(report: RunReport): TableSection {
  const multi = report.settings.filter((s) => s.setting !== 'solo')
  return {
    id: 'merge',
    title: '',
    caption: 'Pass rate of coop pairs by how their patches merged.',
    columns: [
      { label: multiRunHeader(report), align: 'left', only: ['md'] },
      { label: 'run', align: 'left', only: ['latex'] },
      { label: 'agent', align: 'left', only: ['latex'] },
      { label: 'model', align: 'left', only: ['latex'] },
      { label: 'communication', align: 'left', only: ['latex'], header: { latex: 'Comm.' } },
      { label: 'merge outcome', align: 'left' },
      { label: unitName(report), align: 'right', only: ['md'] },
      { label: 'passed', align: 'right', only: ['md'] },
      { label: 'passed', align: 'right', only: ['latex'] },
      { label: 'pass rate', align: 'right', header: { latex: 'Rate (%)' } },
    ],
    rows: multi.flatMap((s) =>
      s.byMerge.map((m) => [
        text(runName(s)),
        text(s.runs.join(', ')),
        text(s.agent ?? '?'),
        text(modelText(s)),
        text(communicationName(s)),
        text(MERGE_OUTCOME_NAMES[m.outcome]),
        count(m.pairs),
        count(m.passed),
        fraction(m.passed, m.pairs),
        rate(m.rate),
      ]),
    ),
    notes: [],
    source: { kind: 'merge' },
  }
}

/** Each coop run's rate under every evaluation policy it has verdicts for, both denominators, and the strategies behind the passes. */
export function policiesSection(report: RunReport): TableSection {
  return {
    id: 'policies',
    title: 'Rates by evaluation policy (the same pairs)',
    caption:
      'Coop pass rate of the same pairs under each evaluation policy (the upstream CooperBench version whose merge rule it follows), ' +
      'with eval errors left out of and counted in the denominator.',
    columns: [
      { label: multiRunHeader(report), align: 'left', only: ['text', 'md'] },
      { label: 'run', align: 'left', only: ['latex'] },
      { label: 'policy', align: 'left' },
      { label: 'verdicts', align: 'left', only: ['text', 'md'] },
      { label: 'judged', align: 'right', only: ['text', 'md'] },
      { label: 'passed', align: 'right', only: ['text', 'md'] },
      { label: 'failed', align: 'right', only: ['text', 'md'] },
      { label: 'eval errors', align: 'right', only: ['text', 'md'] },
      { label: 'passed', align: 'right', only: ['latex'] },
      { label: 'rate, errors out', align: 'right', only: ['text', 'md'] },
      { label: 'rate, errors out', align: 'right', only: ['latex'], header: { latex: 'Rate (%), errors out' } },
      { label: 'rate, errors in', align: 'right', only: ['text', 'md'] },
      { label: 'rate, errors in', align: 'right', only: ['latex'], header: { latex: 'Rate (%), errors in' } },
      { label: 'passes by strategy', align: 'left' },
    ],
    rows: report.settings.flatMap((s) =>
      s.policies.map((p) => [
        text(runName(s)),
        text(s.runs.join(', ')),
        text(p.policy),
        text(p.file),
        fraction(p.evaluated, p.pairs),
        count(p.passed),
        count(p.failed),
        count(p.errors),
        text(`${p.passed}/${p.passed + p.failed} (${p.errors} err.)`),
        rateOf(p.rate, p.passed, p.passed + p.failed),
        rate(p.rate),
        rateOf(p.rateWithErrors, p.passed, p.evaluated),
        rate(p.rateWithErrors),
        text(strategyMixText(p.passesBy)),
      ]),
    ),
    notes: [],
    source: { kind: 'policies' },
  }
}

/** Whether the report has a policy table: some coop row was re-scored or its verdicts name their policy. */
export function hasPolicies(report: RunReport): boolean {
  return report.settings.some(showsPolicies)
}

/** A row per repository and run, the repository named on its first row: as many columns for any number of runs. */
export function perRepoSection(report: RunReport): TableSection {
  return {
    id: 'per-repo',
    title: '',
    caption: 'Pass rate per repository and run (passed/judged) with 95% Wilson intervals.',
    columns: [
      { label: 'repo', align: 'left', header: { latex: 'Repository' } },
      { label: 'run', align: 'left' },
      { label: 'setting', align: 'left' },
      { label: 'rate', align: 'right', header: { latex: 'Rate (%)' } },
      { label: '95% CI', align: 'left' },
    ],
    rows: reposOf(report.settings).flatMap((repo) =>
      report.settings
        .flatMap((s) => {
          const row = repoRow(s, repo)
          return row ? [{ s, row }] : []
        })
        .map(({ s, row }, i) => [
          text(i === 0 ? repo : ''),
          text(s.runs.join(', ')),
          text(s.setting === 'solo' ? settingCell(s) : `${settingCell(s)}, ${communicationName(s)}`),
          rateOf(row.rate, row.passed, judged(row)),
          interval(row.ci),
        ]),
    ),
    notes: [],
    source: { kind: 'per-repo', settings: report.settings },
  }
}

/** The run of a coop row, `run (team)` for a team row: the tables of coop and team rows name the setting of a team. */
function runName(s: SettingReport): string {
  return s.setting === 'team' ? `${s.runs.join(', ')} (team)` : s.runs.join(', ')
}

/** `coop run`, or `coop/team run` when the report has team rows. */
function multiRunHeader(report: RunReport): string {
  return report.settings.some((s) => s.setting === 'team') ? 'coop/team run' : 'coop run'
}

/** The setting cell of an overall table: the setting, and a warning when the run was interrupted. */
function settingCell(s: SettingReport): string {
  return s.interrupted ? `${settingName(s)}, interrupted` : settingName(s)
}

/** `–` for a solo row, else the coop row's communication mode (`messaging`, `git`, `messaging + git`, `none`). */
function communicationName(s: SettingReport): string {
  return s.setting === 'solo' ? '–' : (s.communication ?? '?')
}

/** Pairs when every row counts pairs, else teams. */
function unitName(report: RunReport): 'pairs' | 'teams' {
  return report.settings.every((s) => s.teamSize === 2) ? 'pairs' : 'teams'
}
