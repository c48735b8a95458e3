import { REPORT_CSV_COLUMNS as CSV_COLUMNS } from '@cooperbench/spec/report'
import { cellValues } from '@cooperbench/spec-utils/report'
import type { RunReport } from '../model/report.js'
import { round6 } from '../model/setting-rows.js'
import { type ReportCell, type ReportCsvColumn, columnsIn, shownIn, type ReportSection } from './sections/section-model.js'
import { tableSections } from './table-sections.js'

type Field = string | number | boolean | null

/**
 * One tidy RFC 4180 table (CRLF; comma, quote or line break quoted; quotes doubled): `policy_note`s, then a record per row of each CSV section,
 * scoped by section id (or its own), notes as `<id>_note`. Scopes and columns: docs/user-guide.md, `cooperbench report`. Rates and bounds are 0–1.
 */
export function renderCsv(report: RunReport): string {
  const rows: Field[][] = [[...CSV_COLUMNS], ...report.policyNotes.map((note) => record({ scope: 'policy_note', note }))]
  for (const section of tableSections(report).filter(shownIn('csv'))) rows.push(...sectionRows(section))
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n'
}

type Fields = Partial<Record<ReportCsvColumn, Field>>

function record(fields: Fields): Field[] {
  return CSV_COLUMNS.map((c) => fields[c] ?? null)
}

/** A section of the section model: a row per table row, its cells in the columns the section names, then its notes. */
function sectionRows(s: ReportSection): Field[][] {
  const rows = s.rows.map((cells) => {
    const fields: Fields = { scope: s.id }
    for (const { column, index } of columnsIn(s, 'csv')) {
      const targets = column.csv === undefined ? [] : Array.isArray(column.csv) ? column.csv : [column.csv]
      const values = cellValues(cells[index] as ReportCell)
      for (const [j, target] of targets.entries()) fields[target] = values[j] ?? null
    }
    return record(fields)
  })
  return [...rows, ...s.notes.map((note) => record({ scope: `${s.id}_note`, note }))]
}

/** A field as RFC 4180 wants it: quoted when it holds a comma, a quote or a line break. */
export function csvField(value: string | number | boolean | null): string {
  const text = value === null ? '' : typeof value === 'number' ? String(round6(value)) : String(value)
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

export { CSV_COLUMNS }
