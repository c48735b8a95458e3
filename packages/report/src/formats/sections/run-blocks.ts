import type { RunReport, SettingReport } from '../../model/report.js'
import { MERGE_OUTCOME_NAMES, runList, settingName, subsetEntriesMissingText } from '../labels.js'
import { type ColumnOf, cost, count, formatOnly, interval, line, markup, type ProseBlock, rate, type ReportSection, seq } from './section-model.js'
import { tableOf, text } from './section-model.js'

/** The terminal's block per run: counts, what did not submit or evaluate, merge outcomes, per-repo table (other formats' tables). */
export function runBlockSections(report: RunReport): ReportSection[] {
  return report.settings.map((s) => formatOnly('text', 'run', { prose: { blocks: runBlock(s) } }))
}

function runBlock(s: SettingReport): ProseBlock[] {
  const interrupted = s.interrupted ? ' — interrupted: rates cover its finished pairs only' : ''
  const own = s.policies.find((p) => p.file === 'eval.json')
  const policy = own === undefined ? '' : `, evaluation policy ${own.policy}`
  const out: ProseBlock[] = [line`${settingName(s)} (${runList(s)})${policy}${interrupted}`, { table: tableOf(runColumns(s.pairSize === 2), [s]) }]
  const { infra, dataset, agent } = s.failures
  if (infra + dataset + agent > 0) {
    out.push(
      line`agents that did not submit: ${infra} infrastructure (rerun retries them)${dataset > 0 ? `, ${dataset} a dataset defect` : ''}, ${agent} the agent's own`,
    )
  }
  if (s.errors > 0) out.push(line`eval errors: ${s.errors} pair(s) could not be evaluated; they are left out of every rate`)
  if (s.subsetEntriesMissing.length > 0) out.push(line`${subsetEntriesMissingText(s)}`)
  if (s.byMerge.length > 0) {
    const m = s.merge
    out.push(line`merge: clean ${m.clean}, conflicts ${m.conflicts} (tested via union ${m.union}), missing input ${m.missing_input}, eval errors ${m.error}`)
    const outcome = (r: SettingReport['byMerge'][number]) =>
      line`${MERGE_OUTCOME_NAMES[r.outcome]} ${r.passed}/${r.pairs}${r.rate === null ? '' : line` (${rate(r.rate)})`.line}`
    const byMerge = s.byMerge.flatMap((r, i) => (i > 0 ? [markup(', '), outcome(r).line] : [outcome(r).line]))
    out.push({ line: seq(markup('pass rate by merge outcome: '), ...byMerge) })
  }
  out.push({ table: tableOf(REPO_COLUMNS, s.perRepo) })
  return out
}

/** A run's counts: `all passed` rather than `both passed` for pairs of more than two features. */
function runColumns(twoFeatures: boolean): Array<ColumnOf<SettingReport>> {
  return [
    { label: 'pairs', align: 'right', cell: (s) => count(s.pairs) },
    { label: 'evaluated', align: 'right', cell: (s) => count(s.evaluated) },
    { label: twoFeatures ? 'both passed' : 'all passed', align: 'right', cell: (s) => count(s.passed) },
    { label: 'failed', align: 'right', cell: (s) => count(s.failed) },
    { label: 'eval errors', align: 'right', cell: (s) => count(s.errors) },
    { label: 'rate', align: 'right', cell: (s) => rate(s.rate) },
    { label: '95% CI', cell: (s) => interval(s.ci) },
    { label: 'strict rate', align: 'right', cell: (s) => rate(s.strict.rate) },
    { label: 'cost', align: 'right', cell: cost },
  ]
}

const REPO_COLUMNS: Array<ColumnOf<SettingReport['perRepo'][number]>> = [
  { label: 'repo', cell: (r) => text(r.repo) },
  { label: 'pairs', align: 'right', cell: (r) => count(r.pairs) },
  { label: 'passed', align: 'right', cell: (r) => count(r.passed) },
  { label: 'failed', align: 'right', cell: (r) => count(r.failed) },
  { label: 'eval errors', align: 'right', cell: (r) => count(r.errors) },
  { label: 'rate', align: 'right', cell: (r) => rate(r.rate) },
  { label: '95% CI', cell: (r) => interval(r.ci) },
]
