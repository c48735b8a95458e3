import { Linked } from './RateChart.tsx'
import { columnWidth } from './text-width.ts'

export interface StackedRow {
  label: string
  note?: string
  /** `href`: the pairs behind a segment (a pair-list link). */
  segments: Array<{ key: string; label: string; value: number; href?: string }>
}

const PLOT = 320
const ROW = 30

const valueText = (row: StackedRow) => row.segments.map((s) => `${s.value} ${s.label}`).join(' · ')

/** One bar per row split into parts (e.g. merge outcomes), each part's count written on it. */
export function StackedBars({ rows, title }: { rows: StackedRow[]; title: string }) {
  const left = columnWidth(210, ...rows.map((r) => r.label), ...rows.map((r) => r.note ?? ''))
  const width = left + PLOT + columnWidth(230, ...rows.map(valueText))
  const height = rows.length * ROW + 10
  return (
    <svg class="chart stacked-chart" width={width} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title}>
      {rows.map((row, i) => {
        const top = 5 + i * ROW
        const total = row.segments.reduce((sum, s) => sum + s.value, 0)
        let end = left
        return (
          <g key={i}>
            <text class="label" x={left - 8} y={top + (row.note ? 12 : 19)} text-anchor="end">
              {row.label}
            </text>
            {row.note && (
              <text class="note" x={left - 8} y={top + 25} text-anchor="end">
                {row.note}
              </text>
            )}
            {row.segments.map((segment) => {
              if (segment.value === 0 || total === 0) return null
              const w = (segment.value / total) * PLOT
              const x = end
              end += w
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
            <text class="value" x={left + PLOT + 10} y={top + 19}>
              {valueText(row)}
            </text>
          </g>
        )
      })}
    </svg>
  )
}
