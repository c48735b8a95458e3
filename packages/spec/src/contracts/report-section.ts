/**
 * The report's section model, as plain data: every table of `cooperbench report` (a setting's too, {@link SettingReporter}) is a
 * section each format (text, Markdown, LaTeX, CSV) renders its way. Cells carry values, not text, so each format writes numbers its way.
 */

/** The formats that render sections (JSON is the report's data itself). */
export type SectionFormat = 'text' | 'md' | 'latex' | 'csv'

/** The columns of the CSV report's one tidy table, in order. */
export const REPORT_CSV_COLUMNS = [
  'run',
  'agent',
  'model',
  'setting',
  'pair_size',
  'scope',
  'repo',
  'pairs',
  'evaluated',
  'passed',
  'failed',
  'errors',
  'rate',
  'ci_low',
  'ci_high',
  'strict_rate',
  'strict_ci_low',
  'strict_ci_high',
  'both_pass',
  'solo_only',
  'coop_only',
  'neither',
  'mcnemar_p',
  'dropped',
  'cost',
  'cost_unknown_pairs',
  'interrupted',
  'measure',
  'count',
  'value',
  'communication',
  'note',
] as const

export type ReportCsvColumn = (typeof REPORT_CSV_COLUMNS)[number]

export interface ReportSection {
  /** The CSV scope of its rows and the LaTeX label (`team-ablation-1`). */
  id: string
  /** Empty for the tables a reader knows at a glance (the overall table): a bare table in text and Markdown. */
  title: string
  /** What the numbers are: under the table (text, Markdown) or as its caption (LaTeX). */
  caption: string
  /** A paper's caption written in LaTeX, when it says more than `caption`. */
  latexCaption?: string
  columns: ReportColumn[]
  rows: ReportCell[][]
  /** Lines a reader must see beside the table (runs left out and why, what could not be checked). */
  notes: string[]
  /** The formats that show it, when not all of them (a format's own form of the same numbers is a section of its own). */
  only?: SectionFormat[]
  /**
   * Text and Markdown: sentences in place of the table, lines and tables in order (a run's block, a deficit's sentences and agreement
   * table); `indent`: in text, every block after the first is indented under it.
   */
  prose?: { blocks: ProseBlock[]; indent?: boolean }
}

/** A line of prose (its cells joined), or a table without a title. */
export type ProseBlock = { line: ReportCell } | { table: Pick<ReportSection, 'columns' | 'rows'> }

export interface ReportColumn {
  label: string
  /** Left when not given: text; numbers are right-aligned. */
  align?: 'left' | 'right'
  /** Where the cell's value goes in the CSV's tidy table (an interval fills two columns); none: text formats only. */
  csv?: ReportCsvColumn | ReportCsvColumn[]
  /** The formats that show the column, when not all of them. */
  only?: SectionFormat[]
  /** Its header when not the label; LaTeX's in LaTeX (else the label capitalised; a LaTeX-only column's label is as LaTeX heads it). */
  header?: Partial<Record<'text' | 'md' | 'latex', string>>
  /** A long cell: LaTeX sets it on a line of its own under its row, across the table; text leaves the column out when no row has one. */
  wide?: boolean
}

export type ReportCell =
  /** `markup`: already in the markup of the one format that shows its section (LaTeX's `(\\%)`), written as it is, not escaped. */
  | { kind: 'text'; text: string; markup?: boolean }
  /** Cells written one after another (`50.0 / 33.3`, a sentence with its figures). */
  | { kind: 'seq'; cells: ReportCell[] }
  /** Stressed (Markdown `**…**`) or set apart (Markdown `_…_`); plain in text. */
  | { kind: 'strong' | 'em'; cell: ReportCell }
  | { kind: 'count'; n: number }
  /** `3/10` */
  | { kind: 'fraction'; n: number; of: number }
  /** `30.0%`; null when there is nothing to divide. */
  | { kind: 'rate'; value: number | null }
  /** `66.7% (2/3)`: a rate with its numerator and denominator. */
  | { kind: 'rateOf'; value: number | null; n: number; of: number }
  /** `[12.0%, 55.1%]`; in points (`[-73.3, -7.8]`, no percent sign) for an interval of a difference. */
  | { kind: 'interval'; low: number; high: number; points?: boolean }
  /** `50.0% [9.5%, 90.5%]`: a rate with its interval. */
  | { kind: 'estimate'; value: number; low: number; high: number }
  /** A relative deficit with its interval; not estimable (nulls) when solo passed no pair. */
  | { kind: 'relative'; estimate: { value: number | null; low: number | null; high: number | null } }
  /** A difference of proportions in points, signed: `-16.0`. */
  | { kind: 'points'; value: number }
  | { kind: 'p'; value: number }
  | { kind: 'duration'; seconds: number | null }
  /** A row's cost: unknown when no pair's is, a lower bound when some are not. */
  | { kind: 'cost'; cost: number; unknownPairs: number; pairs: number }
  /** Failure categories with their shares and intervals, `–` for none. */
  | { kind: 'shares'; shares: Array<{ category: string; share: number; low: number; high: number }> }
