import type { ReportCell as Cell } from '@cooperbench/spec/report'

/** How a format writes numbers: its percentage, its escaping of text and its short forms. */
export interface CellStyle {
  /** A proportion as a percentage number with its sign (`30.0`, `$-$5.0`), without the percent sign. */
  percentNumber: (x: number) => string
  percentSign: string
  escape: (t: string) => string
  /** `< 0.001` as the format writes it. */
  lessThan: string
  /** A cost in dollars (`$2.50`, or `2.50` under a `Cost (\$)` header) and the sign of a lower bound. */
  money: (x: number) => string
  atLeast: string
  /** Intervals without words (`50.0 [-20.1, 80.3]`, `not estimable`): a paper's table is narrow. */
  compact: boolean
  /** A stressed and a set-apart cell's text as the format marks it (Markdown: `**x**`, `_x_`). */
  strong: (t: string) => string
  em: (t: string) => string
}

/** The terminal's and Markdown's numbers: `30.0%`, `$2.50`, `≥ `; text as it is (Markdown escapes it). */
export const PLAIN_CELLS: CellStyle = {
  percentNumber,
  percentSign: '%',
  escape: (t) => t,
  lessThan: '<',
  money: (x) => `$${x.toFixed(2)}`,
  atLeast: '≥ ',
  compact: false,
  strong: (t) => t,
  em: (t) => t,
}

/** Why a relative deficit has no value: the ratio needs a solo pass. */
export const UNDEFINED_RELATIVE = 'not estimable (solo passed no pair)'

/** A cell as a format's text. */
export function cellText(cell: Cell, style: CellStyle): string {
  const pct = (x: number) => `${style.percentNumber(x)}${style.percentSign}`
  const none = style.escape('–')
  switch (cell.kind) {
    case 'text':
      return cell.markup ? cell.text : style.escape(cell.text)
    case 'seq':
      return cell.cells.map((c) => cellText(c, style)).join('')
    case 'strong':
    case 'em':
      return style[cell.kind](cellText(cell.cell, style))
    case 'count':
      return String(cell.n)
    case 'fraction':
      return `${cell.n}/${cell.of}`
    case 'rate':
      return cell.value === null ? none : pct(cell.value)
    case 'rateOf':
      return cell.value === null ? none : `${pct(cell.value)} (${cell.n}/${cell.of})`
    case 'interval':
      return cell.points ? `[${style.percentNumber(cell.low)}, ${style.percentNumber(cell.high)}]` : `[${pct(cell.low)}, ${pct(cell.high)}]`
    case 'estimate':
      return `${pct(cell.value)} [${pct(cell.low)}, ${pct(cell.high)}]`
    case 'relative': {
      const { value, low, high } = cell.estimate
      if (value === null || low === null || high === null) return style.compact ? 'not estimable' : UNDEFINED_RELATIVE
      return style.compact ? `${pct(value)} [${pct(low)}, ${pct(high)}]` : `${pct(value)}, 95% CI [${pct(low)}, ${pct(high)}]`
    }
    case 'points':
      return style.percentNumber(cell.value)
    case 'p':
      return cell.value < 0.001 ? `${style.lessThan} 0.001` : cell.value.toFixed(3)
    case 'duration':
      return style.escape(durationText(cell.seconds))
    case 'cost':
      if (cell.unknownPairs === 0) return style.money(cell.cost)
      if (cell.unknownPairs >= cell.pairs) return 'unknown'
      return `${style.atLeast}${style.money(cell.cost)} (${cell.unknownPairs} of ${cell.pairs} unknown)`
    case 'shares':
      if (cell.shares.length === 0) return none
      return cell.shares.map((s) => `${style.escape(categoryName(s.category))} ${pct(s.share)} [${pct(s.low)}, ${pct(s.high)}]`).join('; ')
  }
}

/** Whether a cell says nothing (`–`): a wide cell that LaTeX leaves out. */
export function isEmptyCell(cell: Cell): boolean {
  return (cell.kind === 'text' && cell.text === '–') || (cell.kind === 'shares' && cell.shares.length === 0)
}

/** A cell's value for the CSV: a number (a proportion, a count, seconds) or text; an interval is two values. */
export function cellValues(cell: Cell): Array<string | number | null> {
  switch (cell.kind) {
    case 'text':
      return [cell.text === '–' ? null : cell.text]
    case 'seq':
      return cell.cells.flatMap(cellValues)
    case 'strong':
    case 'em':
      return cellValues(cell.cell)
    case 'count':
    case 'fraction':
      return [cell.n]
    case 'interval':
      return [cell.low, cell.high]
    case 'relative':
      return [cell.estimate.value, cell.estimate.low, cell.estimate.high]
    case 'estimate':
      return [cell.value, cell.low, cell.high]
    case 'rate':
    case 'rateOf':
    case 'points':
    case 'p':
      return [cell.value]
    case 'duration':
      return [cell.seconds]
    case 'cost':
      // No sum when no pair's cost is known: an empty cost, never 0.
      return [cell.unknownPairs >= cell.pairs ? null : cell.cost]
    case 'shares':
      return [cell.shares.map((s) => `${s.category}=${s.share}`).join(' ') || null]
  }
}

/** A proportion as a percentage with one decimal, without the sign: 0.6667 → `66.7`. */
export function percentNumber(x: number): string {
  return (x * 100).toFixed(1)
}

/** The paper's failure categories as a reader says them (analysis.json stores the identifiers). */
export function categoryName(category: string): string {
  return category === 'no_coordination_failure' ? 'no coordination failure' : category
}

/** `42s`, `3m 05s`, `2h 04m`: a duration as a reader says it; `–` for none. */
export function durationText(seconds: number | null): string {
  if (seconds === null) return '–'
  const s = Math.round(seconds)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}
