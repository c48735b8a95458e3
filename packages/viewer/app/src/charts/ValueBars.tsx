import { columnWidth } from './text-width.ts'

export interface ValueRow {
  label: string
  value: number
  text: string
}

const PLOT = 200
const ROW = 26

/** Plain horizontal bars scaled to the largest value (cost, tokens). */
export function ValueBars({ rows, title }: { rows: ValueRow[]; title: string }) {
  const left = columnWidth(170, ...rows.map((r) => r.label))
  const width = left + PLOT + columnWidth(110, ...rows.map((r) => r.text))
  const max = Math.max(...rows.map((r) => r.value), 0)
  const height = rows.length * ROW + 10
  return (
    <svg class="chart value-chart" width={width} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title}>
      {rows.map((row, i) => {
        const top = 5 + i * ROW
        return (
          <g key={i}>
            <text class="label" x={left - 8} y={top + 17} text-anchor="end">
              {row.label}
            </text>
            {max > 0 && row.value > 0 && <rect class="bar" x={left} y={top + 5} width={Math.max((row.value / max) * PLOT, 1)} height={ROW - 10} rx={2} />}
            <text class="value" x={left + PLOT + 10} y={top + 17}>
              {row.text}
            </text>
          </g>
        )
      })}
    </svg>
  )
}
