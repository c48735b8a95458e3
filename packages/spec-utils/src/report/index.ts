/** `@cooperbench/spec-utils/report`: cells and tables to build the report's and settings' sections with, and `cellText` / `cellValues` per format. */
export * from './cells.js'
import type { ReportCell as Cell, ReportColumn, ReportSection } from '@cooperbench/spec/report'

/** A column with how its cell is made from one item of the table (a run, a repository's row, a cause…). */
export interface ColumnOf<Item> extends ReportColumn {
  cell: (item: Item) => Cell
}

/** A table of a row per item: each column makes its own cell, so a label and its value stay side by side. */
export function tableOf<Item>(columns: Array<ColumnOf<Item>>, items: readonly Item[]): Pick<ReportSection, 'columns' | 'rows'> {
  return { columns, rows: items.map((item) => columns.map((column) => column.cell(item))) }
}

export const text = (t: string): Cell => ({ kind: 'text', text: t })
export const count = (n: number): Cell => ({ kind: 'count', n })
export const fraction = (n: number, of: number): Cell => ({ kind: 'fraction', n, of })
export const rate = (value: number | null): Cell => ({ kind: 'rate', value })
export const rateOf = (value: number | null, n: number, of: number): Cell => ({ kind: 'rateOf', value, n, of })
export const duration = (seconds: number | null): Cell => ({ kind: 'duration', seconds })
/** An interval, or `–` without one. */
export const interval = (ci: { low: number; high: number } | null): Cell => (ci ? { kind: 'interval', low: ci.low, high: ci.high } : text('–'))
export const estimate = (r: { rate: number; low: number; high: number }): Cell => ({ kind: 'estimate', value: r.rate, low: r.low, high: r.high })
export const relative = (estimate: Extract<Cell, { kind: 'relative' }>['estimate']): Cell => ({ kind: 'relative', estimate })
export const points = (value: number): Cell => ({ kind: 'points', value })
export const pValue = (value: number): Cell => ({ kind: 'p', value })
/** An interval of a difference, in points. */
export const pointsInterval = (d: { low: number; high: number }): Cell => ({ kind: 'interval', low: d.low, high: d.high, points: true })
export const NONE = text('–')
/** Cells written one after another: a sentence with its figures. */
export const seq = (...cells: Cell[]): Cell => ({ kind: 'seq', cells })
export const strong = (cell: Cell): Cell => ({ kind: 'strong', cell })
export const em = (cell: Cell): Cell => ({ kind: 'em', cell })
/** Text already in the markup of the one format that shows its section (`Relative deficit (\\%)`), written as it is. */
export const markup = (t: string): Cell => ({ kind: 'text', text: t, markup: true })
