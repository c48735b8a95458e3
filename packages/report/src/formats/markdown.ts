import { cellText, type CellStyle, PLAIN_CELLS } from '@cooperbench/spec-utils/report'
import type { RunReport } from '../model/report.js'
import { type ReportCell, columnsIn, shownIn, type ReportSection } from './sections/section-model.js'
import { tableSections } from './table-sections.js'

const MARKDOWN_CELLS: CellStyle = { ...PLAIN_CELLS, escape: escapeMarkdown, strong: (t) => `**${t}**`, em: (t) => `_${t}_` }
const cell = (c: ReportCell) => cellText(c, MARKDOWN_CELLS)

/** GitHub Markdown for a README: policy notes, then each section (see `markdownSection`). */
export function renderMarkdown(report: RunReport): string {
  const parts = report.policyNotes.map((n) => `> **Note:** ${escapeMarkdown(n)}`)
  for (const section of tableSections(report).filter(shownIn('md'))) parts.push(markdownSection(section))
  return parts.join('\n\n')
}

/** Text for a table cell or a line: Markdown's punctuation and the cell separator taken literally. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]<>|~#&$]/g, (c) => `\\${c}`).replace(/\s*[\r\n]+\s*/g, ' ')
}

/** A section of the section model: its title in bold with what its numbers are, the table, its notes; an untitled one is the table and its notes. */
function markdownSection(s: ReportSection) {
  if (s.prose) return s.prose.blocks.map((block) => ('line' in block ? cell(block.line) : markdownTable(block.table))).join('\n\n')
  const table = markdownTable(s)
  const notes = s.notes.length > 0 ? ['', ...s.notes.map((n) => `- ${escapeMarkdown(n)}`)] : []
  if (!s.title) return [table, ...notes].join('\n')
  const lines = [`**${escapeMarkdown(s.title)}**: ${escapeMarkdown(s.caption)}`]
  if (s.rows.length > 0) lines.push('', table)
  lines.push(...notes)
  return lines.join('\n')
}

/** The columns Markdown shows, a header line, a rule of their alignments, a line per row. */
function markdownTable(s: Pick<ReportSection, 'columns' | 'rows'>) {
  const columns = columnsIn(s, 'md')
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`
  const rule = columns.map(({ column }) => (column.align === 'right' ? '---:' : ':---'))
  const header = columns.map(({ column }) => escapeMarkdown(column.header?.md ?? column.label))
  return [line(header), line(rule), ...s.rows.map((r) => line(columns.map(({ index }) => cell(r[index] as ReportCell))))].join('\n')
}
