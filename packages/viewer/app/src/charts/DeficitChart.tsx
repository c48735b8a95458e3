import type { Deficit } from '../../../src/model.ts'
import { percent, points } from '../format.ts'
import { Linked } from './RateChart.tsx'
import { columnWidth } from './text-width.ts'

const PLOT = 310
const ROW = 48

const valueText = ({ relative, difference }: Deficit) =>
  `${relative.value === null ? 'not estimable (solo 0%)' : `${percent(relative.value)} relative`} · ${points(difference)} pts`
const pairsText = (d: Deficit) => `${d.pairs} common ${d.pairSize === 2 ? 'pairs' : `teams of ${d.pairSize}`}`

/**
 * The relative deficit (solo − coop) / solo on a ±100% axis: the estimate's dot, its Jeffreys 95% whisker (an arrow past the axis), the
 * difference in points; rows name solo `vs` the other and link to their common pairs (`hrefOf`). The page lists refused or unplotted ones.
 */
export function DeficitChart({ deficits, hrefOf }: { deficits: Deficit[]; hrefOf: (d: Deficit) => string }) {
  const left = columnWidth(230, ...deficits.map((d) => d.soloRun), ...deficits.map((d) => `vs ${d.coopRun}`), ...deficits.map(pairsText))
  const width = left + PLOT + columnWidth(260, ...deficits.map(valueText))
  const clamp = (v: number) => Math.min(1, Math.max(-1, v))
  const x = (v: number) => left + ((clamp(v) + 1) / 2) * PLOT
  const height = deficits.length * ROW + 34
  return (
    <svg class="chart deficit-chart" width={width} viewBox={`0 0 ${width} ${height}`} role="img" aria-label="Relative coordination deficit">
      {[-1, -0.5, 0, 0.5, 1].map((t) => (
        <g key={t}>
          <line class={t === 0 ? 'zero' : 'grid'} x1={x(t)} x2={x(t)} y1={4} y2={height - 20} />
          <text class="tick" x={x(t)} y={height - 6} text-anchor="middle">
            {t === 0 ? '0' : percent(t, 0)}
          </text>
        </g>
      ))}
      {deficits.map((d, i) => {
        const mid = 8 + i * ROW + ROW / 2
        const r = d.relative
        return (
          <g key={`d${i}`} class="deficit-row">
            <title>{`${d.soloRun} (solo ${percent(d.solo)}) vs ${d.coopRun} (coop ${percent(d.coop)}) on ${d.pairs} common pairs: open them`}</title>
            <Linked href={hrefOf(d)}>
              <text class="label" x={left - 8} y={mid - 8} text-anchor="end">
                {d.soloRun}
              </text>
              <text class="label" x={left - 8} y={mid + 6} text-anchor="end">
                {`vs ${d.coopRun}`}
              </text>
              <text class="note" x={left - 8} y={mid + 19} text-anchor="end">
                {pairsText(d)}
              </text>
              {r.value !== null && r.low !== null && r.high !== null && (
                <>
                  <line class="whisker-line" x1={x(r.low)} x2={x(r.high)} y1={mid} y2={mid} />
                  {r.low < -1 ? (
                    <path class="whisker-arrow" d={`M ${x(-1) + 6} ${mid - 5} L ${x(-1)} ${mid} L ${x(-1) + 6} ${mid + 5}`} />
                  ) : (
                    <line class="whisker-line" x1={x(r.low)} x2={x(r.low)} y1={mid - 7} y2={mid + 7} />
                  )}
                  <line class="whisker-line" x1={x(r.high)} x2={x(r.high)} y1={mid - 7} y2={mid + 7} />
                  <circle class="dot" cx={x(r.value)} cy={mid} r={5} />
                </>
              )}
              <text class="value" x={left + PLOT + 10} y={mid + 4}>
                {valueText(d)}
              </text>
            </Linked>
          </g>
        )
      })}
    </svg>
  )
}
