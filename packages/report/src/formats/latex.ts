import type { Deficit } from '../model/deficit.js'
import { strategyMixText } from '../model/policy-rates.js'
import type { RunAnalysisReport, RunReport } from '../model/report.js'
import { categoryName, percentNumber } from './labels.js'
import { type CellStyle, cellText, isEmptyCell } from './sections/cells.js'
import { type Cell, columnsIn, estimate, interval, type OwnLayouts, ownLayout, pValue, rate, relative, type TableSection } from './sections/section-model.js'
import { tableSections } from './table-sections.js'

/**
 * Floating booktabs tables to `\input` into a paper (the preamble needs `\usepackage{booktabs}`):
 * every section a `table` whose caption says what its numbers are, labelled `tab:cooperbench-<id>`;
 * the deficits and each failure analysis have a column per comparison or run (`LATEX_LAYOUTS`).
 * Percentages have one decimal, intervals are `[low, high]`, names are escaped; `\footnotesize`
 * keeps each table within a page's text width.
 */
export function renderLatex(report: RunReport): string {
  const parts = ['% cooperbench report; needs \\usepackage{booktabs}', ...report.policyNotes.map((n) => `% note: ${n.replace(/\n/g, ' ')}`)]
  for (const section of tableSections(report)) parts.push(ownLayout(LATEX_LAYOUTS, section)?.() ?? latexSection(section))
  return parts.join('\n\n')
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

const LATEX_CELLS: CellStyle = {
  percentNumber: signedPercent,
  percentSign: '',
  escape: escapeLatex,
  lessThan: '$<$',
  money: (x) => x.toFixed(2),
  atLeast: '$\\geq$ ',
  compact: true,
}
const cell = (c: Cell) => cellText(c, LATEX_CELLS)

/** A section of the section model as a floating table: the caption says what its numbers are, the notes follow it; a wide cell gets a line under its row. */
function latexSection(s: TableSection): string {
  const columns = columnsIn(s, 'latex')
  const main = columns.filter(({ column }) => !column.wide)
  const wide = columns.filter(({ column }) => column.wide)
  const header = row(main.map(({ column }) => escapeLatex(column.header?.latex ?? `${column.label.charAt(0).toUpperCase()}${column.label.slice(1)}`)))
  const rows = s.rows.flatMap((r) => [
    main.map(({ index }) => cell(r[index] as Cell)),
    ...wide.filter(({ index }) => !isEmptyCell(r[index] as Cell)).map(({ index }) => [`\\multicolumn{${main.length}}{l}{\\quad ${cell(r[index] as Cell)}}`]),
  ])
  const spec = main.map(({ column }) => (column.align === 'right' ? 'r' : 'l')).join('')
  const caption = s.latexCaption ?? (s.title ? `${s.title}. ${s.caption}` : s.caption)
  const notes = s.notes.length > 0 ? ` ${s.notes.map(escapeLatex).join('. ')}.` : ''
  return floating(tabular(spec, [header], rows), `${escapeLatex(caption)}${notes}`, s.id.replaceAll('_', '-'))
}

/** A column per comparison and a row per measure: a paper shows one or two comparisons, and eight measures side by side would not fit a page. */
const LATEX_LAYOUTS: OwnLayouts<string> = {
  deficits: ({ deficits }, section) => floating(deficitTabular(deficits), escapeLatex(section.caption), 'deficit'),
  analysis: ({ analysis, label }) => floating(analysisTabular(analysis), escapeLatex(CATEGORY_CAPTION), label),
}

function deficitTabular(deficits: Deficit[]): string {
  const unit = deficits.every((d) => d.teamSize === 2) ? 'pairs' : 'teams'
  const name = (d: Deficit) =>
    `${escapeLatex(d.soloRun)} vs ${escapeLatex(d.coopRun)}${d.setting === 'team' ? ' (team)' : ''}${d.teamSize === 2 ? '' : ` (${d.teamSize})`}`
  const measures: Array<[string, (d: Deficit) => string]> = [
    [`Common ${unit}`, (d) => String(d.pairs)],
    [deficits.some((d) => d.setting === 'team') ? 'Solo / coop or team (\\%)' : 'Solo / coop (\\%)', (d) => `${cell(rate(d.solo))} / ${cell(rate(d.coop))}`],
    ['Relative deficit (\\%) [95\\% CI]', (d) => cell(relative(d.relative))],
    ['Difference (points) [95\\% CI]', (d) => cell(estimate({ rate: d.difference, low: d.low, high: d.high }))],
    ['Strict relative deficit (\\%) [95\\% CI]', (d) => cell(relative(d.strict.relative))],
    ['Both / solo only / coop only / neither', (d) => [d.agreement.bothPass, d.agreement.soloOnly, d.agreement.coopOnly, d.agreement.neither].join(' / ')],
    ["McNemar's exact $p$", (d) => cell(pValue(d.mcnemar.pValue))],
    ...(deficits.some((d) => d.setting === 'team')
      ? [['Passes by strategy', (d: Deficit) => escapeLatex(strategyMixText(d.passesBy))] as [string, (d: Deficit) => string]]
      : []),
  ]
  return tabular(
    `l${'r'.repeat(deficits.length)}`,
    [row(['', ...deficits.map(name)])],
    measures.map(([label, of]) => [label, ...deficits.map(of)]),
  )
}

const CATEGORY_CAPTION =
  "Failure categories of the failed coop pairs, as an LLM judge named them (a model's judgement, not ground truth): " +
  'share of judged failed pairs with a 95% Wilson interval, and the signals computed without a model.'

/** A coop run's failure categories (share, interval and count), then the signals computed without a model. */
function analysisTabular(a: RunAnalysisReport): string {
  const rows = [
    ['Judged failed pairs', `${a.judged}/${a.failed}`],
    ...(a.judge === null ? [] : a.categories).map((c) => [
      escapeLatex(categoryName(c.category)),
      `${cell(rate(c.share))} ${cell(interval(c.ci))} (${c.count})`,
    ]),
    ['Messages per pair', a.signals.messages_per_pair.toFixed(2)],
    ['Steps on messaging (\\%)', cell(rate(a.signals.messaging_step_share))],
    ['Unanswered questions per pair', a.signals.unanswered_questions_per_pair.toFixed(2)],
    ['Pairs editing a common file', String(a.signals.pairs_with_shared_files)],
    ['Broken promises', String(a.signals.broken_promises)],
  ]
  return tabular('lr', [row(['', escapeLatex(a.run)])], rows)
}

function floating(tabularText: string, caption: string, label: string): string {
  // \footnotesize and narrower column gaps keep a table of several runs within a page's text width.
  const head = ['\\begin{table}[t]', '\\centering', '\\footnotesize', '\\setlength{\\tabcolsep}{4pt}']
  return [...head, tabularText, `\\caption{${caption}}`, `\\label{tab:cooperbench-${label}}`, '\\end{table}'].join('\n')
}

const row = (cells: string[]) => `${cells.join(' & ')} \\\\`

function tabular(columns: string, head: string[], rows: string[][]): string {
  return [`\\begin{tabular}{${columns}}`, '\\toprule', ...head, '\\midrule', ...rows.map(row), '\\bottomrule', '\\end{tabular}'].join('\n')
}
