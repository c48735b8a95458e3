import type { Ablation } from '../../model/ablation.js'
import type { Deficit } from '../../model/deficit.js'
import type { LeaderboardRow } from '../../model/leaderboard.js'
import type { RateRow, RunAnalysisReport, SettingReport } from '../../model/report.js'
import type { RelativeDeficitEstimate } from '../../statistics/relative-deficit.js'
import type { CSV_COLUMNS } from '../csv-columns.js'

/** The formats that render sections (JSON is the RunReport itself). */
export type SectionFormat = 'text' | 'md' | 'latex' | 'csv'

/**
 * One section model for every table of the report: a section is built once from the report
 * (`tableSections`), and each format renders any section with its one `render…Section` (text,
 * Markdown, LaTeX, CSV), so a new table is in every format by construction. Cells carry values,
 * not text: each format writes percentages, intervals and p values its own way.
 */
export interface TableSection {
  /** The CSV scope of its rows and the LaTeX label (`team-ablation-1`). */
  id: string
  /** Empty for the tables a reader knows at a glance (the overall table): a bare table in text and Markdown. */
  title: string
  /** What the numbers are: under the table (text, Markdown) or as its caption (LaTeX). */
  caption: string
  /** A paper's caption written in LaTeX, when it says more than `caption`. */
  latexCaption?: string
  columns: SectionColumn[]
  rows: Cell[][]
  /** Lines a reader must see beside the table (runs left out and why, what could not be checked). */
  notes: string[]
  /** The report's records behind a table that a format lays out its own long-standing way (`OwnLayouts`). */
  source?: SectionSource
}

/**
 * Tables whose layout in some format is not a table of these rows, kept as users know them: the
 * text report's block per run, the deficit's sentences, Markdown's per-repo table with a column
 * group per run, LaTeX's deficit and failure-analysis tables with a column per run, CSV's tidy
 * rows of one measure each.
 */
export type SectionSource =
  | { kind: 'runs'; settings: SettingReport[] }
  | { kind: 'merge' }
  | { kind: 'policies' }
  | { kind: 'per-repo'; settings: SettingReport[] }
  | { kind: 'leaderboard'; rows: LeaderboardRow[] }
  | { kind: 'deficits'; deficits: Deficit[] }
  | { kind: 'analysis'; analysis: RunAnalysisReport; label: string }
  | { kind: 'ablation'; ablation: Ablation; group: string }

export type SourceKind = SectionSource['kind']

/** A format's own layout of the sections of some kinds; every other section goes through its `render…Section`. */
export type OwnLayouts<Out> = { [K in SourceKind]?: (source: Extract<SectionSource, { kind: K }>, section: TableSection) => Out }

/** A section's own layout in a format, or null when the format renders it as a table. */
export function ownLayout<Out>(layouts: OwnLayouts<Out>, section: TableSection): (() => Out) | null {
  const source = section.source
  const layout = source && (layouts[source.kind] as ((s: SectionSource, t: TableSection) => Out) | undefined)
  return layout ? () => layout(source!, section) : null
}

export type CsvColumn = (typeof CSV_COLUMNS)[number]

export interface SectionColumn {
  label: string
  /** Left when not given: text; numbers are right-aligned. */
  align?: 'left' | 'right'
  /** Where the cell's value goes in the CSV's tidy table (an interval fills two columns); none: text formats only. */
  csv?: CsvColumn | CsvColumn[]
  /** The formats that show the column, when not all of them. */
  only?: SectionFormat[]
  /**
   * Its header in text or Markdown when not the label; in LaTeX, written in LaTeX (the label capitalised otherwise;
   * a LaTeX-only column is labelled as LaTeX heads it).
   */
  header?: Partial<Record<'text' | 'md' | 'latex', string>>
  /** A long cell: LaTeX sets it on a line of its own under its row, across the table; text leaves the column out when no row has one. */
  wide?: boolean
}

/** A column with how its cell is made from one item of the table (a run, a repository's row, a cause…). */
export interface ColumnOf<Item> extends SectionColumn {
  cell: (item: Item) => Cell
}

/** A table of a row per item: each column makes its own cell, so a label and its value stay side by side. */
export function tableOf<Item>(columns: Array<ColumnOf<Item>>, items: Item[]): Pick<TableSection, 'columns' | 'rows'> {
  return { columns, rows: items.map((item) => columns.map((column) => column.cell(item))) }
}

/** The columns a format shows. */
export function columnsIn(section: TableSection, format: SectionFormat): Array<{ column: SectionColumn; index: number }> {
  return section.columns.map((column, index) => ({ column, index })).filter(({ column }) => !column.only || column.only.includes(format))
}

export type Cell =
  | { kind: 'text'; text: string }
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
  /** The relative deficit with its interval, or why it is not estimable. */
  | { kind: 'relative'; estimate: RelativeDeficitEstimate }
  /** A difference of proportions in points, signed: `-16.0`. */
  | { kind: 'points'; value: number }
  | { kind: 'p'; value: number }
  | { kind: 'duration'; seconds: number | null }
  /** A row's cost: unknown when no pair's is, a lower bound when some are not. */
  | { kind: 'cost'; cost: number; unknownPairs: number; pairs: number }
  /** Failure categories with their shares and intervals, `–` for none. */
  | { kind: 'shares'; shares: Array<{ category: string; share: number; low: number; high: number }> }

export const text = (t: string): Cell => ({ kind: 'text', text: t })
export const count = (n: number): Cell => ({ kind: 'count', n })
export const fraction = (n: number, of: number): Cell => ({ kind: 'fraction', n, of })
export const rate = (value: number | null): Cell => ({ kind: 'rate', value })
export const rateOf = (value: number | null, n: number, of: number): Cell => ({ kind: 'rateOf', value, n, of })
export const duration = (seconds: number | null): Cell => ({ kind: 'duration', seconds })
/** An interval, or `–` without one. */
export const interval = (ci: { low: number; high: number } | null): Cell => (ci ? { kind: 'interval', low: ci.low, high: ci.high } : text('–'))
export const estimate = (r: { rate: number; low: number; high: number }): Cell => ({ kind: 'estimate', value: r.rate, low: r.low, high: r.high })
export const relative = (estimate: RelativeDeficitEstimate): Cell => ({ kind: 'relative', estimate })
export const points = (value: number): Cell => ({ kind: 'points', value })
export const pValue = (value: number): Cell => ({ kind: 'p', value })
/** `66.7% (2/3)`: a row's rate with its passes and judged pairs. */
export function rateOfJudged(r: Pick<RateRow, 'rate' | 'passed' | 'failed'>): Cell {
  return rateOf(r.rate, r.passed, r.passed + r.failed)
}
/** An interval of a difference, in points. */
export function pointsInterval(d: { low: number; high: number }): Cell {
  return { kind: 'interval', low: d.low, high: d.high, points: true }
}
export function cost(s: Pick<SettingReport, 'cost' | 'costUnknownPairs' | 'pairs'>): Cell {
  return { kind: 'cost', cost: s.cost, unknownPairs: s.costUnknownPairs, pairs: s.pairs }
}
export const NONE = text('–')
