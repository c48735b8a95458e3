/** What sections (`tableSections`) are built with: spec's `ReportSection`, spec-utils' cells, and the formats' shared helpers. */
import { type ReportCell, type ReportColumn, type ReportCsvColumn, type ReportSection, type SectionFormat, REPORT_CSV_COLUMNS } from '@cooperbench/spec/report'
import { markup, rateOf, seq } from '@cooperbench/spec-utils/report'
import type { RateRow, SettingReport } from '../../model/report.js'

export * from '@cooperbench/spec-utils/report'
export type { ProseBlock, ReportCell, ReportColumn, ReportCsvColumn, ReportSection, SectionFormat } from '@cooperbench/spec/report'

/** Whether a format shows a section or a column. */
export function shownIn(format: SectionFormat): (s: { only?: SectionFormat[] }) => boolean {
  return (s) => !s.only || s.only.includes(format)
}

/** The columns a format shows. */
export function columnsIn(section: Pick<ReportSection, 'columns'>, format: SectionFormat): Array<{ column: ReportColumn; index: number }> {
  return section.columns.map((column, index) => ({ column, index })).filter(({ column }) => shownIn(format)(column))
}

/** `66.7% (2/3)`: a row's rate with its passes and judged pairs. */
export function rateOfJudged(r: Pick<RateRow, 'rate' | 'passed' | 'failed'>): ReportCell {
  return rateOf(r.rate, r.passed, r.passed + r.failed)
}
export function cost(s: Pick<SettingReport, 'cost' | 'costUnknownPairs' | 'pairs'>): ReportCell {
  return { kind: 'cost', cost: s.cost, unknownPairs: s.costUnknownPairs, pairs: s.pairs }
}

/** A prose line: words as written (in its one format's markup), cells as each format writes them (`text(name)`: escaped), numbers as words. */
export function line(words: TemplateStringsArray, ...values: Array<ReportCell | string | number>): { line: ReportCell } {
  const cell = (v: ReportCell | string | number) => (typeof v === 'object' ? v : markup(String(v)))
  return { line: seq(...words.flatMap((w, i) => (i < values.length ? [markup(w), cell(values[i]!)] : [markup(w)]))) }
}

/** A section a format shows alone, with no title: the table, or the prose, of that format's own form. */
export function formatOnly(format: SectionFormat, id: string, body: Partial<Pick<ReportSection, 'columns' | 'rows' | 'prose' | 'caption'>>): ReportSection {
  return { id, title: '', caption: '', columns: [], rows: [], notes: [], only: [format], ...body }
}

/** A CSV record's fields by column: values, never text to parse (an interval is its two bounds). */
export type CsvFields = Partial<Record<ReportCsvColumn, string | number | boolean | null>>

/** A CSV-only section: a record per item with scope `id` (unless its fields name another). */
export function csvRecords<Item>(id: string, items: readonly Item[], fields: (item: Item) => CsvFields): ReportSection {
  const records = items.map(fields)
  const columns = REPORT_CSV_COLUMNS.filter((c) => records.some((r) => c in r))
  return formatOnly('csv', id, { columns: columns.map((c) => ({ label: c, csv: c })), rows: records.map((r) => columns.map((c) => field(r[c] ?? null))) })
}

/** A rate (or an estimate) with its interval, empty where there is none. */
export function rateFields(rate: number | null, ci: { low: number | null; high: number | null } | null): CsvFields {
  return { rate, ci_low: ci?.low ?? null, ci_high: ci?.high ?? null }
}

/** A value as a cell whose CSV value it is (`cellValues`): empty for null. */
function field(value: string | number | boolean | null): ReportCell {
  if (value === null) return { kind: 'text', text: '–' }
  return typeof value === 'number' ? { kind: 'count', n: value } : { kind: 'text', text: String(value) }
}
