import type { RunReport } from '../model/report.js'
import { type CellStyle, cellText, isEmptyCell, percentNumber } from '@cooperbench/spec-utils/report'
import { type ReportCell, columnsIn, shownIn, type ReportSection } from './sections/section-model.js'
import { tableSections } from './table-sections.js'

/**
 * Floating booktabs tables to `\input` (needs `\usepackage{booktabs}`): a captioned `table` per section labelled `tab:cooperbench-<id>` (deficits
 * and failure analyses: a column per comparison or run); one-decimal percentages, `[low, high]` intervals, escaped names.
 */
export function renderLatex(report: RunReport): string {
  const parts = ['% cooperbench report; needs \\usepackage{booktabs}', ...report.policyNotes.map((n) => `% note: ${n.replace(/\n/g, ' ')}`)]
  for (const section of tableSections(report).filter(shownIn('latex'))) parts.push(latexSection(section))
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
function signedPercent(x: number) {
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
  strong: (t) => `\\textbf{${t}}`,
  em: (t) => `\\emph{${t}}`,
}
const cell = (c: ReportCell) => cellText(c, LATEX_CELLS)

/** A section of the section model as a floating table: the caption says what its numbers are, the notes follow it; a wide cell gets a line under its row. */
function latexSection(s: ReportSection) {
  const columns = columnsIn(s, 'latex')
  const main = columns.filter(({ column }) => !column.wide)
  const wide = columns.filter(({ column }) => column.wide)
  const header = row(main.map(({ column }) => escapeLatex(column.header?.latex ?? `${column.label.charAt(0).toUpperCase()}${column.label.slice(1)}`)))
  const rows = s.rows.flatMap((r) => [
    main.map(({ index }) => cell(r[index] as ReportCell)),
    ...wide
      .filter(({ index }) => !isEmptyCell(r[index] as ReportCell))
      .map(({ index }) => [`\\multicolumn{${main.length}}{l}{\\quad ${cell(r[index] as ReportCell)}}`]),
  ])
  const spec = main.map(({ column }) => (column.align === 'right' ? 'r' : 'l')).join('')
  const caption = s.latexCaption ?? (s.title ? `${s.title}. ${s.caption}` : s.caption)
  const notes = s.notes.length > 0 ? ` ${s.notes.map(escapeLatex).join('. ')}.` : ''
  return floating(tabular(spec, [header], rows), `${escapeLatex(caption)}${notes}`, s.id.replaceAll('_', '-'))
}

function floating(tabularText: string, caption: string, label: string) {
  // \footnotesize and narrower column gaps keep a table of several runs within a page's text width.
  const head = ['\\begin{table}[t]', '\\centering', '\\footnotesize', '\\setlength{\\tabcolsep}{4pt}']
  return [...head, tabularText, `\\caption{${caption}}`, `\\label{tab:cooperbench-${label}}`, '\\end{table}'].join('\n')
}

const row = (cells: string[]) => `${cells.join(' & ')} \\\\`

function tabular(columns: string, head: string[], rows: string[][]) {
  return [`\\begin{tabular}{${columns}}`, '\\toprule', ...head, '\\midrule', ...rows.map(row), '\\bottomrule', '\\end{tabular}'].join('\n')
}
