import type { ComponentChildren } from 'preact'
import { interval, percent } from '../format.ts'
import { columnWidth } from './text-width.ts'

export interface RateBar {
  label: string
  /** A smaller second line under the label (e.g. the run). */
  note?: string
  rate: number | null
  ci: { low: number; high: number } | null
  passed: number
  judged: number
  /** Its colour's class: `solo`, `coop`, `other-0`, `other-1` (see `toneOf`). */
  tone: string
  /** Starts a group: a heading row above this bar. */
  group?: string
  /** The pairs behind the bar (a pair-list link): the bar and its numbers link there. */
  href?: string
  /** The rate covers part of an unfinished run: drawn hollow (the note says why). */
  partial?: boolean
}

const PLOT = 320
const ROW = 30
const HEADING = 24

const valueText = (bar: RateBar) => (bar.rate === null ? 'not evaluated' : `${percent(bar.rate)} (${bar.passed}/${bar.judged}) ${interval(bar.ci)}`)

/** Horizontal pass-rate bars on a 0–100% axis, each with its 95% interval as a whisker. */
export function RateChart({ bars, title }: { bars: RateBar[]; title: string }) {
  const left = columnWidth(210, ...bars.map((b) => b.label), ...bars.map((b) => b.note ?? ''))
  const width = left + PLOT + columnWidth(230, ...bars.map(valueText))
  const x = (v: number) => left + v * PLOT
  let y = 8
  const rows = bars.map((bar) => {
    const heading = bar.group !== undefined ? y : null
    if (heading !== null) y += HEADING
    const top = y
    y += ROW
    return { bar, top, heading }
  })
  const height = y + 26
  return (
    <svg class="chart rate-chart" width={width} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title}>
      {[0, 0.25, 0.5, 0.75, 1].map((t) => (
        <g key={t}>
          <line class="grid" x1={x(t)} x2={x(t)} y1={4} y2={height - 20} />
          <text class="tick" x={x(t)} y={height - 6} text-anchor="middle">
            {percent(t, 0)}
          </text>
        </g>
      ))}
      {rows.map(({ bar, top, heading }, i) => (
        <g key={i} class={`bar-row ${bar.tone}${bar.partial ? ' partial' : ''}`}>
          <title>{`${bar.label}: ${percent(bar.rate)} (${bar.passed}/${bar.judged}), 95% CI ${interval(bar.ci)}`}</title>
          {heading !== null && (
            <text class="group-heading" x={4} y={heading + 16}>
              {bar.group}
            </text>
          )}
          <text class="label" x={left - 8} y={top + (bar.note ? 12 : 19)} text-anchor="end">
            {bar.label}
          </text>
          {bar.note && (
            <text class="note" x={left - 8} y={top + 25} text-anchor="end">
              {bar.note}
            </text>
          )}
          <Linked href={bar.href}>
            {bar.rate !== null && <rect class="bar" x={x(0)} y={top + 6} width={Math.max(bar.rate * PLOT, 1)} height={ROW - 12} rx={2} />}
            {bar.ci && (
              <g class="whisker">
                <line x1={x(bar.ci.low)} x2={x(bar.ci.high)} y1={top + ROW / 2} y2={top + ROW / 2} />
                <line x1={x(bar.ci.low)} x2={x(bar.ci.low)} y1={top + 8} y2={top + ROW - 8} />
                <line x1={x(bar.ci.high)} x2={x(bar.ci.high)} y1={top + 8} y2={top + ROW - 8} />
              </g>
            )}
            <text class="value" x={left + PLOT + 10} y={top + 19}>
              {valueText(bar)}
            </text>
          </Linked>
        </g>
      ))}
    </svg>
  )
}

/** An SVG link around a chart's marks when there are pairs to go to, else the marks as they are. */
export function Linked({ href, children }: { href: string | undefined; children: ComponentChildren }) {
  return href ? (
    <a class="chart-link" href={href}>
      {children}
    </a>
  ) : (
    <>{children}</>
  )
}
