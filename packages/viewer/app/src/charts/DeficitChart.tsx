import type { Deficit } from '../../../src/model.ts'
import { percent, points } from '../format.ts'

const LABEL = 230
const VALUE = 200
const ROW = 34

/** Solo rate minus coop rate on a −100…+100 point axis: a dot at the difference, Newcombe's 95% interval as a whisker. */
export function DeficitChart({ deficits, caveats }: { deficits: Deficit[]; caveats: string[] }) {
  const width = 760
  const plot = width - LABEL - VALUE
  const x = (v: number) => LABEL + ((v + 1) / 2) * plot
  const height = deficits.length * ROW + 34
  return (
    <svg class="chart deficit-chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label="Coordination deficit">
      {[-1, -0.5, 0, 0.5, 1].map((t) => (
        <g key={t}>
          <line class={t === 0 ? 'zero' : 'grid'} x1={x(t)} x2={x(t)} y1={4} y2={height - 20} />
          <text class="tick" x={x(t)} y={height - 6} text-anchor="middle">
            {t === 0 ? '0' : points(t)}
          </text>
        </g>
      ))}
      {deficits.map((d, i) => {
        const top = 8 + i * ROW
        const mid = top + ROW / 2
        return (
          <g key={i} class="deficit-row">
            <title>{`${d.soloRun} (solo ${percent(d.solo)}) − ${d.coopRun} (coop ${percent(d.coop)}) = ${points(d.difference)} points, 95% CI [${points(d.low)}, ${points(d.high)}]`}</title>
            <text class="label" x={LABEL - 8} y={mid - 2} text-anchor="end">
              {`${d.soloRun} − ${d.coopRun}`}
            </text>
            <text class="note" x={LABEL - 8} y={mid + 11} text-anchor="end">
              {`${d.teamSize} features${caveats[i] ? ` · ${caveats[i]}` : ''}`}
            </text>
            <line class="whisker-line" x1={x(Math.max(d.low, -1))} x2={x(Math.min(d.high, 1))} y1={mid} y2={mid} />
            <line class="whisker-line" x1={x(Math.max(d.low, -1))} x2={x(Math.max(d.low, -1))} y1={mid - 7} y2={mid + 7} />
            <line class="whisker-line" x1={x(Math.min(d.high, 1))} x2={x(Math.min(d.high, 1))} y1={mid - 7} y2={mid + 7} />
            <circle class="dot" cx={x(d.difference)} cy={mid} r={5} />
            <text class="value" x={LABEL + plot + 10} y={mid + 4}>
              {`${points(d.difference)} pts [${points(d.low)}, ${points(d.high)}]`}
            </text>
          </g>
        )
      })}
    </svg>
  )
}
