import type { Deficit, RateRow, RunReport } from '@cooperbench/core/results'
import { columnGroupLabel, judged, percentNumber, reposOf, repoRow, settingCell, unitName } from './labels.js'

/**
 * booktabs tabulars to `\input` into a paper (the preamble needs `\usepackage{booktabs}`): the
 * overall table, the per-repo table (a rate and interval column pair per run and setting) and,
 * when there is one, the coordination deficit table. Percentages have one decimal, intervals are
 * `[low, high]`, names are escaped.
 */
export function renderLatex(report: RunReport): string {
  const sections = ['% cooperbench report; needs \\usepackage{booktabs}', overallTabular(report)]
  if (report.settings.length > 0) sections.push(perRepoTabular(report))
  if (report.deficits.length > 0) sections.push(deficitTabular(report.deficits))
  return sections.join('\n\n')
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
  const unit = unitName(report) === 'pairs' ? 'Pairs' : 'Teams'
  const header = ['Run', 'Setting', unit, 'Evaluated', 'Passed', 'Failed', 'Errors', 'Rate (\\%)', '95\\% CI', 'Cost (\\$)']
  const rows = report.settings.map((s) => [
    escapeLatex(s.runs.join(', ')),
    escapeLatex(settingCell(s)),
    String(s.pairs),
    String(s.evaluated),
    String(s.passed),
    String(s.failed),
    String(s.errors),
    rate(s.rate),
    interval(s.ci),
    s.cost.toFixed(2),
  ])
  return tabular('llrrrrrrlr', [row(header)], rows)
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

function deficitTabular(deficits: Deficit[]): string {
  const withTeams = deficits.some((d) => d.teamSize !== 2)
  const header = ['Solo run', 'Coop run', ...(withTeams ? ['Team size'] : []), 'Solo (\\%)', 'Coop (\\%)', 'Deficit (points)', '95\\% CI']
  const rows = deficits.map((d) => [
    escapeLatex(d.soloRun),
    escapeLatex(d.coopRun),
    ...(withTeams ? [String(d.teamSize)] : []),
    rate(d.solo),
    rate(d.coop),
    signedPercent(d.difference),
    interval(d),
  ])
  return tabular(`ll${withTeams ? 'r' : ''}rrrl`, [row(header)], rows)
}

const row = (cells: string[]) => `${cells.join(' & ')} \\\\`

function tabular(columns: string, head: string[], rows: string[][]): string {
  return [`\\begin{tabular}{${columns}}`, '\\toprule', ...head, '\\midrule', ...rows.map(row), '\\bottomrule', '\\end{tabular}'].join('\n')
}
