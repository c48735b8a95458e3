import { Linked } from './RateChart.tsx'

export interface StackedRow {
  label: string
  note?: string
  /** `href`: the pairs behind a segment (a pair-list link). */
  segments: Array<{ key: string; label: string; value: number; href?: string }>
}

const LABEL = 210
const VALUE = 230
const ROW = 30

/** One bar per row split into parts (e.g. merge outcomes), each part's count written on it. */
export function StackedBars({ rows, title }: { rows: StackedRow[]; title: string }) {
  const width = 760
  const plot = width - LABEL - VALUE
  const height = rows.length * ROW + 10
  return (
    <svg class="chart stacked-chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title}>
      {rows.map((row, i) => {
        const top = 5 + i * ROW
        const total = row.segments.reduce((sum, s) => sum + s.value, 0)
        let left = LABEL
        return (
          <g key={i}>
            <text class="label" x={LABEL - 8} y={top + (row.note ? 12 : 19)} text-anchor="end">
              {row.label}
            </text>
            {row.note && (
              <text class="note" x={LABEL - 8} y={top + 25} text-anchor="end">
                {row.note}
              </text>
            )}
            {row.segments.map((segment) => {
              if (segment.value === 0 || total === 0) return null
              const w = (segment.value / total) * plot
              const x = left
              left += w
              return (
                <g key={segment.key} class={`segment ${segment.key}`}>
                  <title>{`${segment.label}: ${segment.value}`}</title>
                  <Linked href={segment.href}>
                    <rect x={x} y={top + 5} width={w} height={ROW - 10} />
                    {w > 26 && (
                      <text class="segment-value" x={x + w / 2} y={top + 19} text-anchor="middle">
                        {segment.value}
                      </text>
                    )}
                  </Linked>
                </g>
              )
            })}
            <text class="value" x={LABEL + plot + 10} y={top + 19}>
              {row.segments.map((s) => `${s.value} ${s.label}`).join(' · ')}
            </text>
          </g>
        )
      })}
    </svg>
  )
}
