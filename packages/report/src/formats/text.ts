import type { ProseBlock } from '@cooperbench/spec/report'
import { cellText, isEmptyCell, PLAIN_CELLS } from '@cooperbench/spec-utils/report'
import type { RunReport } from '../model/report.js'
import { type ReportCell, columnsIn, shownIn, type ReportSection } from './sections/section-model.js'
import { tableSections } from './table-sections.js'
import { table } from './text-table.js'

const cell = (c: ReportCell) => cellText(c, PLAIN_CELLS)

/** The terminal report (`--format text`, default): policy notes, then each section as a titled, indented table with its caption and notes. */
export function formatReport(report: RunReport): string {
  const out = report.policyNotes.map((note) => `note: ${note}`)
  if (out.length > 0) out.push('')
  for (const section of tableSections(report).filter(shownIn('text'))) {
    const lines = textSection(section)
    if (lines.length > 0) out.push(...lines, '')
  }
  return out.join('\n').trimEnd()
}

/** A section of the section model: its title, the table, its notes and what its numbers are; an untitled one is the table alone. */
function textSection(s: ReportSection) {
  if (s.prose) return s.prose.blocks.map((block, i) => (s.prose!.indent && i > 0 ? indent(blockText(block)) : blockText(block)))
  // A long cell (the failure shares) that no row has says nothing.
  const columns = columnsIn(s, 'text').filter(({ column, index }) => !column.wide || s.rows.some((r) => !isEmptyCell(r[index] as ReportCell)))
  const body =
    s.rows.length === 0
      ? []
      : [textTable({ columns: columns.map(({ column }) => column), rows: s.rows.map((r) => columns.map(({ index }) => r[index] as ReportCell)) })]
  if (!s.title) return body
  return [`${lowerFirst(s.title)}:`, ...body.map(indent), ...s.notes.map((n) => `  note: ${n}`), `  ${lowerFirst(s.caption)}`]
}

const blockText = (block: ProseBlock) => ('line' in block ? cell(block.line) : textTable(block.table))

function textTable({ columns, rows }: Pick<ReportSection, 'columns' | 'rows'>) {
  const header = columns.map((column) => column.header?.text ?? column.label)
  const align = columns.map((column) => column.align ?? 'left')
  const cells = rows.map((r) => r.map(cell))
  return table(header, cells, align)
}

const lowerFirst = (t: string) => `${t.charAt(0).toLowerCase()}${t.slice(1)}`

function indent(text: string) {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n')
}
