import type { Ablation, Deficit, RateRow, RunAnalysisReport, RunReport } from '@cooperbench/core/results'
import {
  ablationHead,
  categoryName,
  columnGroupLabel,
  costCell,
  judged,
  MERGE_OUTCOME_NAMES,
  percentNumber,
  pValueText,
  reposOf,
  repoRow,
  settingCell,
} from './labels.js'

/**
 * Floating booktabs tables to `\input` into a paper (the preamble needs `\usepackage{booktabs}`),
 * each a `table` with a caption that says what its numbers are: the overall table (agent, model,
 * rate and strict rate), the pass rate by merge outcome of coop runs, the per-repo table and, when
 * runs were compared, the coordination deficit table (relative deficit and difference in points,
 * both paired, the agreement counts and McNemar's p). Percentages have one decimal, intervals
 * are `[low, high]`, names are escaped; `\small` keeps each table within a page's text width.
 */
export function renderLatex(report: RunReport): string {
  const sections = ['% cooperbench report; needs \\usepackage{booktabs}', floating(overallTabular(report), OVERALL_CAPTION, 'overall')]
  if (report.settings.some((s) => s.byMerge.length > 0)) sections.push(floating(mergeTabular(report), MERGE_CAPTION, 'merge'))
  if (report.settings.length > 0) sections.push(floating(perRepoTabular(report), PER_REPO_CAPTION, 'per-repo'))
  if (report.deficits.length > 0) sections.push(floating(deficitTabular(report.deficits), DEFICIT_CAPTION, 'deficit'))
  const judgedRuns = report.analyses.filter((a) => a.judge !== null)
  if (judgedRuns.length > 0) sections.push(floating(categoryTabular(judgedRuns), CATEGORY_CAPTION, 'failure-categories'))
  for (const [i, a] of report.ablations.entries()) {
    sections.push(floating(ablationTabular(a), ABLATION_CAPTION, `ablation${report.ablations.length > 1 ? `-${i + 1}` : ''}`))
  }
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
    ['Steps on messaging (\\%)', ...analyses.map((a) => signedPercent(a.signals.messaging_step_share))],
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
const PER_REPO_CAPTION = 'Pass rate per repository (passed/judged) with 95\\% Wilson intervals.'
const DEFICIT_CAPTION =
  'Coordination deficit on the pairs judged in both settings: relative deficit (solo $-$ coop) / solo with a paired bootstrap 95\\% interval, ' +
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

/** A name as LaTeX text: specials escaped, `--` kept as two hyphens, line breaks as spaces. */
export function escapeLatex(text: string): string {
  return text
    .replace(/[\\&%$#_{}~^<>|[\]]/g, (c) => SPECIALS[c]!)
    .replace(/-(?=-)/g, '-{}')
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
  const header = ['Agent', 'Model', 'Setting', 'Passed', 'Errors', 'Rate (\\%)', '95\\% CI', 'Strict (\\%)', 'Cost (\\$)']
  const rows = report.settings.map((s) => [
    escapeLatex(s.agent ?? '?'),
    escapeLatex(s.model ?? '?'),
    escapeLatex(settingCell(s)),
    `${s.passed}/${judged(s)}`,
    String(s.errors),
    rate(s.rate),
    interval(s.ci),
    rate(s.strict.rate),
    costCell(s, (x) => x.toFixed(2), '$\\geq$ '),
  ])
  return tabular('lllrrrlrr', [row(header)], rows)
}

function mergeTabular(report: RunReport): string {
  const header = ['Agent', 'Model', 'Merge outcome', 'Passed', 'Rate (\\%)']
  const rows = report.settings.flatMap((s) =>
    s.byMerge.map((m) => [escapeLatex(s.agent ?? '?'), escapeLatex(s.model ?? '?'), MERGE_OUTCOME_NAMES[m.outcome], `${m.passed}/${m.pairs}`, rate(m.rate)]),
  )
  return tabular('lllrr', [row(header)], rows)
}

/** `66.7 (2/3)`: the rate with its numerator and denominator; `--` for a run without the repo. */
function rateCell(r: RateRow | null): string {
  return r && r.rate !== null ? `${rate(r.rate)} (${r.passed}/${judged(r)})` : '--'
}

function perRepoTabular(report: RunReport): string {
  const groups = report.settings.map((s, i) => ({ label: escapeLatex(columnGroupLabel(s)), first: 2 + 2 * i }))
  const head = [
    row(['', ...groups.map((g) => `\\multicolumn{2}{c}{${g.label}}`)]),
    groups.map((g) => `\\cmidrule(lr){${g.first}-${g.first + 1}}`).join(' '),
    row(['Repository', ...groups.flatMap(() => ['Rate (\\%)', '95\\% CI'])]),
  ]
  const rows = reposOf(report).map((repo) => [
    escapeLatex(repo),
    ...report.settings.flatMap((s) => {
      const r = repoRow(s, repo)
      return [rateCell(r), r ? interval(r.ci) : '--']
    }),
  ])
  return tabular(`l${'rl'.repeat(groups.length)}`, head, rows)
}

/**
 * A column per comparison and a row per measure: a paper usually shows one or two comparisons,
 * and eight measures side by side would not fit a page.
 */
function deficitTabular(deficits: Deficit[]): string {
  const unit = deficits.every((d) => d.teamSize === 2) ? 'pairs' : 'teams'
  const name = (d: Deficit) => `${escapeLatex(d.soloRun)} vs ${escapeLatex(d.coopRun)}${d.teamSize === 2 ? '' : ` (${d.teamSize})`}`
  const head = row(['', ...deficits.map(name)])
  const relative = (d: Deficit) => {
    const r = d.relative
    if (r.value === null) return 'undefined'
    return `${signedPercent(r.value)} ${r.low === null || r.high === null ? '' : interval({ low: r.low, high: r.high })}`.trim()
  }
  const measures: Array<[string, (d: Deficit) => string]> = [
    [`Common ${unit}`, (d) => String(d.pairs)],
    ['Solo / coop (\\%)', (d) => `${rate(d.solo)} / ${rate(d.coop)}`],
    ['Relative deficit (\\%) [95\\% CI]', relative],
    ['Difference (points) [95\\% CI]', (d) => `${signedPercent(d.difference)} ${interval(d)}`],
    ['Strict relative deficit (\\%)', (d) => (d.strict.relative === null ? 'undefined' : signedPercent(d.strict.relative))],
    ['Both / solo only / coop only / neither', (d) => [d.agreement.bothPass, d.agreement.soloOnly, d.agreement.coopOnly, d.agreement.neither].join(' / ')],
    ["McNemar's exact $p$", (d) => pValueText(d.mcnemar.pValue).replace('<', '$<$')],
  ]
  const rows = measures.map(([label, cell]) => [label, ...deficits.map(cell)])
  return tabular(`l${'r'.repeat(deficits.length)}`, [head], rows)
}

const row = (cells: string[]) => `${cells.join(' & ')} \\\\`

function tabular(columns: string, head: string[], rows: string[][]): string {
  return [`\\begin{tabular}{${columns}}`, '\\toprule', ...head, '\\midrule', ...rows.map(row), '\\bottomrule', '\\end{tabular}'].join('\n')
}
