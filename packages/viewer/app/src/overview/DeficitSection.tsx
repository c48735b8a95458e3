import type { Deficit, RefusedComparison, RunOverview, RunReport } from '../../../src/model.ts'
import { DeficitChart } from '../charts/DeficitChart.tsx'
import { type AgreementCell, CELL_NAMES, comparisonParam } from '../comparison.ts'
import { percent, points, strategyText } from '../format.ts'
import { TableHead } from '../TableHead.tsx'
import { comparisonHref } from './rows.ts'

/** The deficit of each solo × coop comparison: the chart (finished runs), why others are not plotted, the details, the refused ones. */
export function DeficitSection({ report, runs, unfinished }: { report: RunReport; runs: RunOverview[]; unfinished: Set<string> }) {
  // A deficit of an unfinished run would change as pairs finish: listed, not plotted.
  const plotted = report.deficits.filter((d) => !unfinished.has(d.soloRun) && !unfinished.has(d.coopRun))
  const waiting = report.deficits.filter((d) => !plotted.includes(d))
  return (
    <section class="deficit">
      <h2>{`Coordination deficit, relative: (solo − ${settingsOf(report.deficits)}) / solo`}</h2>
      {report.deficits.length + report.refused.length > 0 ? (
        <>
          {plotted.length > 0 && <DeficitChart deficits={plotted} hrefOf={(d) => comparisonHref(d)} />}
          {waiting.map((d) => (
            <p key={comparisonParam(d)} class="not-plotted">
              {`Not plotted: ${d.soloRun} vs ${d.coopRun} — ${[d.soloRun, d.coopRun]
                .filter((name) => unfinished.has(name))
                .map((name) => {
                  const run = runs.find((r) => r.name === name)!
                  return `${name} is unfinished (${run.finished} of ${run.planned} pairs)`
                })
                .join(', ')}; the figures below are partial.`}
            </p>
          ))}
          <p class="caption">
            Computed on the pairs both runs judged. Relative deficit with a Jeffreys 95% interval (the Dirichlet posterior of the agreement table: it keeps its
            width when every pair agrees, and is not estimable when solo passed no pair); beside it the difference in points (solo − coop) with Newcombe's
            paired 95% CI. Runs of a different agent, model, limits or prompt profile are not compared. Each row and count opens its pairs.
          </p>
          {report.deficits.map((d) => (
            <DeficitDetail key={`${d.soloRun}-${d.coopRun}-${d.pairSize}`} d={d} partial={unfinished.has(d.soloRun) || unfinished.has(d.coopRun)} />
          ))}
          <RefusedList refused={report.refused} />
        </>
      ) : (
        <p class="empty">Needs a solo and a coop run of the same pair size (give both with -n, or --solo and --coop).</p>
      )}
    </section>
  )
}

/** The comparisons the deficit refuses, folded into one line that opens to the list with every reason in full. */
function RefusedList({ refused }: { refused: RefusedComparison[] }) {
  if (refused.length === 0) return null
  return (
    <details class="refused-list">
      <summary>{`${refused.length} solo × ${settingsOf(refused)} combination${refused.length === 1 ? '' : 's'} not compared (different agent, model, limits or prompts)`}</summary>
      <ul>
        {refused.map((r) => (
          <li key={`${r.soloRun}-${r.coopRun}-${r.pairSize}`} class="refused">
            <span class="refused-runs">{`${r.soloRun} (solo) vs ${r.coopRun} (${r.setting})${r.pairSize === 2 ? '' : `, teams of ${r.pairSize}`}`}</span>
            <ul class="reasons">
              {r.reasons.map((reason) => (
                <li key={reason}>{reason}</li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
    </details>
  )
}

/** One comparison in words and numbers: both measures, the rates, what was dropped, the 2×2 agreement table (each count a link to its pairs), McNemar. */
function DeficitDetail({ d, partial }: { d: Deficit; partial: boolean }) {
  const r = d.relative
  const relative = r.value === null ? 'not estimable (solo passed no pair)' : `${percent(r.value)}, 95% CI [${percent(r.low)}, ${percent(r.high)}]`
  // The multi-agent side: coop, or a team run set against solo on the same pairs.
  const other = d.setting
  const dropped = d.dropped.soloOnly + d.dropped.coopOnly + d.dropped.notJudgedInBoth
  const droppedText = dropped
    ? ` (${dropped} dropped: ${d.dropped.soloOnly} only in solo, ${d.dropped.coopOnly} only in ${other}, ${d.dropped.notJudgedInBoth} not judged in both)`
    : ''
  const s = d.strict.relative
  const strictRelative = s.value === null ? 'not estimable' : `${percent(s.value)} [${percent(s.low)}, ${percent(s.high)}]`
  const p = d.mcnemar.pValue < 0.001 ? 'p < 0.001' : `p = ${d.mcnemar.pValue.toFixed(3)}`
  const a = d.agreement
  const cell = (key: AgreementCell) => (
    <td>
      <a class={`agreement-cell ${key}`} href={comparisonHref(d, key)} title={`${CELL_NAMES[key]}: open these pairs`}>
        {a[key]}
      </a>
    </td>
  )
  return (
    <div class={`deficit-detail${partial ? ' partial' : ''}`} data-comparison={comparisonParam(d)}>
      <span class="deficit-line">
        <a href={comparisonHref(d)}>{`Relative deficit ${d.soloRun} vs ${d.coopRun}${other === 'coop' ? '' : ` (${other})`}: ${relative}`}</a>
        {` · difference ${points(d.difference)} points, 95% CI [${points(d.low)}, ${points(d.high)}]`}
        {partial && <span class="badge partial">partial: a run is unfinished</span>}
      </span>
      <span class="deficit-line note">
        {`solo ${percent(d.solo)}, ${other} ${percent(d.coop)} on `}
        <a href={comparisonHref(d)}>{`${d.pairs} common pairs`}</a>
        {`${droppedText} · strict: solo ${percent(d.strict.solo)}, ${other} ${percent(d.strict.coop)}, relative ${strictRelative} · McNemar exact ${p}`}
        {other !== 'coop' && d.passesBy && ` · ${other} passes by strategy: ${strategyText(d.passesBy)}`}
      </span>
      <table class="agreement">
        <TableHead columns={['', `${other} passed`, `${other} failed`]} />
        <tbody>
          <tr>
            <th>solo passed</th>
            {cell('bothPass')}
            {cell('soloOnly')}
          </tr>
          <tr>
            <th>solo failed</th>
            {cell('coopOnly')}
            {cell('neither')}
          </tr>
        </tbody>
      </table>
      {d.notes.map((n) => (
        <span key={n} class="deficit-line note">{`note: ${n}`}</span>
      ))}
    </div>
  )
}

/** `coop`, or `coop or team`: the settings set against solo. */
function settingsOf(compared: ReadonlyArray<{ setting: string }>) {
  return ['coop', ...new Set(compared.map((d) => d.setting).filter((s) => s !== 'coop'))].join(' or ')
}
