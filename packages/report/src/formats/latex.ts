import type { Ablation } from '../model/ablation.js'
import type { Deficit } from '../model/deficit.js'
import type { LeaderboardRow } from '../model/leaderboard.js'
import type { RateRow, RunAnalysisReport, RunReport } from '../model/report.js'
import type { RelativeDeficitEstimate } from '../statistics/relative-deficit.js'
import {
  ablationHead,
  categoryName,
  communicationName,
  costCell,
  judged,
  leaderboardKey,
  MERGE_OUTCOME_NAMES,
  modelText,
  percentNumber,
  pValueText,
  reposOf,
  repoRow,
  settingCell,
} from './labels.js'
import { type CellStyle, cellText, type TableSection, tableSections } from './table-sections.js'
import { showsPolicies, strategyMixText } from '../model/policy-rates.js'

/**
 * Floating booktabs tables to `\input` into a paper (the preamble needs `\usepackage{booktabs}`),
 * each a `table` with a caption that says what its numbers are: the overall table (run, agent,
 * model, setting, communication, rate and strict rate), the leaderboard, the pass rate by merge
 * outcome of coop runs (run and communication named), the per-repo table (a row per repository and
 * run, so it stays five columns wide for any number of runs) and, when runs were compared, the
 * coordination deficit table (relative deficit and difference in points, both paired, the
 * agreement counts and McNemar's p). Percentages have one decimal, intervals
 * are `[low, high]`, names are escaped; `\small` keeps each table within a page's text width.
 */
export function renderLatex(report: RunReport): string {
  const sections = ['% cooperbench report; needs \\usepackage{booktabs}', floating(overallTabular(report), OVERALL_CAPTION, 'overall')]
  if (report.leaderboard.length > 0) sections.push(floating(leaderboardTabular(report.leaderboard), LEADERBOARD_CAPTION, 'leaderboard'))
  if (report.settings.some((s) => s.byMerge.length > 0)) sections.push(floating(mergeTabular(report), MERGE_CAPTION, 'merge'))
  if (report.settings.some(showsPolicies)) sections.push(floating(policyTabular(report), POLICY_CAPTION, 'policies'))
  for (const note of report.policyNotes) sections.push(`% note: ${note.replace(/\n/g, ' ')}`)
  if (report.settings.length > 0) sections.push(floating(perRepoTabular(report), PER_REPO_CAPTION, 'per-repo'))
  if (report.deficits.length > 0) sections.push(floating(deficitTabular(report.deficits), DEFICIT_CAPTION, 'deficit'))
  const judgedRuns = report.analyses.filter((a) => a.judge !== null)
  if (judgedRuns.length > 0) sections.push(floating(categoryTabular(judgedRuns), CATEGORY_CAPTION, 'failure-categories'))
  for (const [i, a] of report.ablations.entries()) {
    sections.push(floating(ablationTabular(a), ABLATION_CAPTION, `ablation${report.ablations.length > 1 ? `-${i + 1}` : ''}`))
  }
  for (const section of tableSections(report)) sections.push(latexSection(section))
  return sections.join('\n\n')
}

const CATEGORY_CAPTION =
  "Failure categories of the failed coop pairs, as an LLM judge named them (a model's judgement, not ground truth): " +
  'share of judged failed pairs with a 95\\% Wilson interval, and the signals computed without a model.'
const ABLATION_CAPTION =
  'Communication ablation: coop runs of the same agent, model, limits and prompts with and without messaging or the shared git remote, ' +
  'on the pairs judged in every run. Success: all features pass; conflicts: the naive merge conflicted; ' +
  'messaging: mean share of steps spent sending or reading messages. 95\\% Wilson intervals.'

/** A column per analysed coop run: each category's share and interval, then the signals. */
function categoryTabular(analyses: RunAnalysisReport[]): string {
  const head = row(['', ...analyses.map((a) => escapeLatex(a.run))])
  const categories = [...new Set(analyses.flatMap((a) => a.categories.map((c) => c.category)))]
  const share = (a: RunAnalysisReport, category: string) => {
    const c = a.categories.find((x) => x.category === category)
    return c ? `${signedPercent(c.share)} ${interval(c.ci)} (${c.count})` : '--'
  }
  const rows = [
    ['Judged failed pairs', ...analyses.map((a) => `${a.judged}/${a.failed}`)],
    ...categories.map((category) => [escapeLatex(categoryName(category)), ...analyses.map((a) => share(a, category))]),
    ['Messages per pair', ...analyses.map((a) => a.signals.messages_per_pair.toFixed(2))],
    ['Steps on messaging (\\%)', ...analyses.map((a) => rate(a.signals.messaging_step_share))],
    ['Unanswered questions per pair', ...analyses.map((a) => a.signals.unanswered_questions_per_pair.toFixed(2))],
    ['Pairs editing a common file', ...analyses.map((a) => String(a.signals.pairs_with_shared_files))],
    ['Broken promises', ...analyses.map((a) => String(a.signals.broken_promises))],
  ]
  return tabular(`l${'r'.repeat(analyses.length)}`, [head], rows)
}

function ablationTabular(a: Ablation): string {
  const header = ['Run', 'Communication', 'Success (\\%)', '95\\% CI', 'Conflicts (\\%)', '95\\% CI', 'Messaging (\\%)']
  const rows = a.variants.map((v) => [
    escapeLatex(v.run),
    escapeLatex(v.mode),
    signedPercent(v.success.rate),
    interval(v.success.ci),
    signedPercent(v.conflicts.rate),
    interval(v.conflicts.ci),
    v.messagingShare === null ? '--' : signedPercent(v.messagingShare),
  ])
  const title = `\\multicolumn{7}{l}{${escapeLatex(`${ablationHead(a)}${a.pairs} pairs judged in every run`)}} \\\\`
  return tabular('llrlrlr', [title, '\\midrule', row(header)], rows)
}

const OVERALL_CAPTION =
  'Pass rate: share of judged pairs whose features all pass after the merge (union-merge fallback included, as in the reference), ' +
  'with a 95\\% Wilson interval. Strict: the merge was clean and all features pass. Pairs whose evaluation failed are left out.'
const MERGE_CAPTION = 'Pass rate of coop pairs by how their patches merged.'
const POLICY_CAPTION =
  'Coop pass rate of the same pairs under each evaluation policy (the upstream CooperBench version whose merge rule it follows), with eval errors left out of and counted in the denominator.'
const PER_REPO_CAPTION = 'Pass rate per repository and run (passed/judged) with 95\\% Wilson intervals.'
const LEADERBOARD_CAPTION =
  'Leaderboard: one row per agent and model (and communication mode), from one solo run and one coop run of the same configuration, ' +
  'on the pairs judged in both. Solo, coop and strict (clean merge) coop rates with 95\\% Wilson intervals; relative deficit ' +
  "(solo $-$ coop) / solo with a Jeffreys 95\\% interval; below a row, the coop run's failure categories as an LLM judge named them."
const DEFICIT_CAPTION =
  'Coordination deficit on the pairs judged in both settings: relative deficit (solo $-$ coop) / solo with a Jeffreys 95\\% interval ' +
  '(Dirichlet posterior of the agreement table; not estimable when solo passed no pair), ' +
  "the difference in points with Newcombe's paired 95\\% interval, the agreement counts (both pass / solo only / coop only / neither) " +
  "and McNemar's exact p."

function floating(tabularText: string, caption: string, label: string): string {
  // \footnotesize and narrower column gaps keep a table of several runs within a page's text width.
  const head = ['\\begin{table}[t]', '\\centering', '\\footnotesize', '\\setlength{\\tabcolsep}{4pt}']
  return [...head, tabularText, `\\caption{${caption}}`, `\\label{tab:cooperbench-${label}}`, '\\end{table}'].join('\n')
}

const SPECIALS: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '&': '\\&',
  '%': '\\%',
  $: '\\$',
  '#': '\\#',
  _: '\\_',
  '{': '\\{',
  '}': '\\}',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
  '<': '\\textless{}',
  '>': '\\textgreater{}',
  '|': '\\textbar{}',
  // A cell right after `\\` that starts with `[` would be read as the row's spacing argument.
  '[': '{[}',
  ']': '{]}',
}

/** Symbols of the report's own words that pdflatex's default fonts lack (in math mode), and the en dash of an empty cell. */
const UNICODE_SYMBOLS: Record<string, string> = { Δ: '$\\Delta$', '−': '$-$', '→': '$\\rightarrow$', '–': '--' }

/** A name as LaTeX text: specials escaped, `--` kept as two hyphens, line breaks as spaces. */
export function escapeLatex(text: string): string {
  return text
    .replace(/[\\&%$#_{}~^<>|[\]]/g, (c) => SPECIALS[c]!)
    .replace(/-(?=-)/g, '-{}')
    .replace(/[Δ−→–]/g, (c) => UNICODE_SYMBOLS[c]!)
    .replace(/\s*[\r\n]+\s*/g, ' ')
}

/** A percentage with one decimal and a real minus sign: -0.05 → `$-$5.0`. */
function signedPercent(x: number): string {
  const text = percentNumber(x)
  if (!text.startsWith('-')) return text
  return /^-0\.0$/.test(text) ? '0.0' : `$-$${text.slice(1)}`
}

const rate = (x: number | null) => (x === null ? '--' : signedPercent(x))
const interval = (ci: { low: number; high: number } | null) => (ci ? `[${signedPercent(ci.low)}, ${signedPercent(ci.high)}]` : '--')

function overallTabular(report: RunReport): string {
  const header = ['Run', 'Agent', 'Model', 'Setting', 'Comm.', 'Passed', 'Errors', 'Rate (\\%)', '95\\% CI', 'Strict (\\%)', 'Cost (\\$)']
  const rows = report.settings.map((s) => [
    escapeLatex(s.runs.join(', ')),
    escapeLatex(s.agent ?? '?'),
    escapeLatex(modelText(s)),
    escapeLatex(settingCell(s)),
    communicationCell(s),
    `${s.passed}/${judged(s)}`,
    String(s.errors),
    rate(s.rate),
    interval(s.ci),
    rate(s.strict.rate),
    costCell(s, (x) => x.toFixed(2), '$\\geq$ '),
  ])
  return tabular('lllllrrrlrr', [row(header)], rows)
}

function mergeTabular(report: RunReport): string {
  const header = ['Run', 'Agent', 'Model', 'Comm.', 'Merge outcome', 'Passed', 'Rate (\\%)']
  const rows = report.settings.flatMap((s) =>
    s.byMerge.map((m) => [
      escapeLatex(s.runs.join(', ')),
      escapeLatex(s.agent ?? '?'),
      escapeLatex(modelText(s)),
      communicationCell(s),
      MERGE_OUTCOME_NAMES[m.outcome],
      `${m.passed}/${m.pairs}`,
      rate(m.rate),
    ]),
  )
  return tabular('lllllrr', [row(header)], rows)
}

/** Each coop run's rate under every evaluation policy it has verdicts for. */
function policyTabular(report: RunReport): string {
  const header = ['Run', 'Policy', 'Passed', 'Rate (\\%), errors out', 'Rate (\\%), errors in', 'Passes by strategy']
  const rows = report.settings.flatMap((s) =>
    s.policies.map((p) => [
      escapeLatex(s.runs.join(', ')),
      escapeLatex(p.policy),
      `${p.passed}/${p.passed + p.failed} (${p.errors} err.)`,
      rate(p.rate),
      rate(p.rateWithErrors),
      escapeLatex(strategyMixText(p.passesBy)),
    ]),
  )
  return tabular('llrrrl', [row(header)], rows)
}

/** The communication mode of a coop row, `--` for solo. */
function communicationCell(s: RunReport['settings'][number]): string {
  return s.setting === 'solo' ? '--' : escapeLatex(communicationName(s))
}

/** A row per agent × model; the coop run's failure shares on a line of their own under it. */
function leaderboardTabular(board: LeaderboardRow[]): string {
  const header = ['Agent', 'Model', 'Comm.', 'Pairs', 'Solo (\\%)', 'Coop/team (\\%)', 'Rel. deficit (\\%)', 'Strict (\\%)', 'Passes by strategy']
  const ci = (r: { rate: number; low: number; high: number }) => `${signedPercent(r.rate)} ${interval(r)}`
  const rows = board.flatMap((l) => {
    const key = leaderboardKey(l)
    const main = [
      escapeLatex(key.agent),
      escapeLatex(key.model),
      escapeLatex(key.setup),
      String(l.pairs),
      ci(l.solo),
      ci(l.coop),
      relativeCell(l.relative),
      ci(l.strict),
      escapeLatex(strategyMixText(l.passesBy)),
    ]
    const shares = (l.analysis?.categories ?? []).map((c) => `${escapeLatex(categoryName(c.category))} ${signedPercent(c.share)} ${interval(c.ci)}`)
    return shares.length ? [main, [`\\multicolumn{9}{l}{\\quad ${shares.join('; ')}}`]] : [main]
  })
  return tabular('lllrlllll', [row(header)], rows)
}

/** `$-$8.3 [$-$40.1, 28.4]`, or `not estimable` when solo passed no pair. */
function relativeCell(r: RelativeDeficitEstimate): string {
  if (r.value === null || r.low === null || r.high === null) return 'not estimable'
  return `${signedPercent(r.value)} ${interval({ low: r.low, high: r.high })}`
}

/** `66.7 (2/3)`: the rate with its numerator and denominator; `--` for a run without the repo. */
function rateCell(r: RateRow | null): string {
  return r && r.rate !== null ? `${rate(r.rate)} (${r.passed}/${judged(r)})` : '--'
}

/** A row per repository and run (the repository named on its first row): five columns for any number of runs. */
function perRepoTabular(report: RunReport): string {
  const head = [row(['Repository', 'Run', 'Setting', 'Rate (\\%)', '95\\% CI'])]
  const rows = reposOf(report).flatMap((repo) =>
    report.settings
      .map((s) => ({ s, r: repoRow(s, repo) }))
      .filter((x): x is { s: (typeof report.settings)[number]; r: RateRow } => x.r !== null)
      .map(({ s, r }, i) => [
        i === 0 ? escapeLatex(repo) : '',
        escapeLatex(s.runs.join(', ')),
        escapeLatex(s.setting !== 'solo' ? `${settingCell(s)}, ${communicationName(s)}` : settingCell(s)),
        rateCell(r),
        interval(r.ci),
      ]),
  )
  return tabular('lllrl', head, rows)
}

/**
 * A column per comparison and a row per measure: a paper usually shows one or two comparisons,
 * and eight measures side by side would not fit a page.
 */
function deficitTabular(deficits: Deficit[]): string {
  const unit = deficits.every((d) => d.teamSize === 2) ? 'pairs' : 'teams'
  const name = (d: Deficit) =>
    `${escapeLatex(d.soloRun)} vs ${escapeLatex(d.coopRun)}${d.setting === 'team' ? ' (team)' : ''}${d.teamSize === 2 ? '' : ` (${d.teamSize})`}`
  const head = row(['', ...deficits.map(name)])
  const relative = (d: Deficit) => relativeCell(d.relative)
  const measures: Array<[string, (d: Deficit) => string]> = [
    [`Common ${unit}`, (d) => String(d.pairs)],
    [deficits.some((d) => d.setting === 'team') ? 'Solo / coop or team (\\%)' : 'Solo / coop (\\%)', (d) => `${rate(d.solo)} / ${rate(d.coop)}`],
    ['Relative deficit (\\%) [95\\% CI]', relative],
    ['Difference (points) [95\\% CI]', (d) => `${signedPercent(d.difference)} ${interval(d)}`],
    ['Strict relative deficit (\\%) [95\\% CI]', (d) => relativeCell(d.strict.relative)],
    ['Both / solo only / coop only / neither', (d) => [d.agreement.bothPass, d.agreement.soloOnly, d.agreement.coopOnly, d.agreement.neither].join(' / ')],
    ["McNemar's exact $p$", (d) => pValueText(d.mcnemar.pValue).replace('<', '$<$')],
    ...(deficits.some((d) => d.setting === 'team')
      ? [['Passes by strategy', (d: Deficit) => escapeLatex(strategyMixText(d.passesBy))] as [string, (d: Deficit) => string]]
      : []),
  ]
  const rows = measures.map(([label, cell]) => [label, ...deficits.map(cell)])
  return tabular(`l${'r'.repeat(deficits.length)}`, [head], rows)
}

const LATEX_CELLS: CellStyle = { percentNumber: signedPercent, percentSign: '', escape: escapeLatex, lessThan: '$<$' }

/** A section of the section model as a floating table: the caption says what its numbers are, the notes follow it. */
function latexSection(s: TableSection): string {
  const header = row(s.columns.map((c) => escapeLatex(c.label)))
  const rows = s.rows.map((r) => r.map((c) => cellText(c, LATEX_CELLS)))
  const columns = s.columns.map((c) => (c.align === 'right' ? 'r' : 'l')).join('')
  const caption = `${escapeLatex(s.title)}. ${escapeLatex(s.caption)}${s.notes.length > 0 ? ` ${s.notes.map(escapeLatex).join('. ')}.` : ''}`
  return floating(tabular(columns, [header], rows), caption, s.id.replaceAll('_', '-'))
}

const row = (cells: string[]) => `${cells.join(' & ')} \\\\`

function tabular(columns: string, head: string[], rows: string[][]): string {
  return [`\\begin{tabular}{${columns}}`, '\\toprule', ...head, '\\midrule', ...rows.map(row), '\\bottomrule', '\\end{tabular}'].join('\n')
}
