export interface ValueRow {
  label: string
  value: number
  text: string
}

const LABEL = 170
const VALUE = 110
const ROW = 26

/** Plain horizontal bars scaled to the largest value (cost, tokens). */
export function ValueBars({ rows, title }: { rows: ValueRow[]; title: string }) {
  const width = 480
  const plot = width - LABEL - VALUE
  const max = Math.max(...rows.map((r) => r.value), 0)
  const height = rows.length * ROW + 10
  return (
    <svg class="chart value-chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title}>
      {rows.map((row, i) => {
        const top = 5 + i * ROW
        return (
          <g key={i}>
            <text class="label" x={LABEL - 8} y={top + 17} text-anchor="end">
              {row.label}
            </text>
            {max > 0 && row.value > 0 && <rect class="bar" x={LABEL} y={top + 5} width={Math.max((row.value / max) * plot, 1)} height={ROW - 10} rx={2} />}
            <text class="value" x={LABEL + plot + 10} y={top + 17}>
              {row.text}
            </text>
          </g>
        )
      })}
    </svg>
  )
}
