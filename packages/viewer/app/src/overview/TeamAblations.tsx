import type { RunReport } from '../../../src/model.ts'
import { points } from '../format.ts'
import { TableHead } from '../TableHead.tsx'

/**
 * The one-feature-off ablation of team runs: per baseline (every feature on) a row per run with one
 * feature off, on the pairs both judged, with the paired interval of Δ and McNemar's exact p; then
 * the team runs left out and why. Nothing without a team run that has a feature off.
 */
export function TeamAblations({ report }: { report: Pick<RunReport, 'teamAblations' | 'refusedTeamAblations'> }) {
  if (report.teamAblations.length + report.refusedTeamAblations.length === 0) return null
  return (
    <section class="team-ablations">
      <h2>Team ablation: one feature off</h2>
      {report.teamAblations.map((a) => (
        <div key={a.baseline.run} class="team-ablation" data-baseline={a.baseline.run}>
          <p class="deficit-line note">
            {`baseline ${a.baseline.run}${a.teamSize === 2 ? '' : `, teams of ${a.teamSize}`}: every feature on, ${a.baseline.passed} of ${a.baseline.judged} judged pairs passed`}
          </p>
          <table class="numbers team-ablation-table">
            <TableHead columns={['flag', 'run', 'pairs', 'baseline passed', 'passed', 'Δ (points)', '95% CI', 'McNemar p', 'dropped']} />
            <tbody>
              {a.rows.map((r) => (
                <tr key={r.run} data-run={r.run} data-flag={r.flag}>
                  <td>{r.flag}</td>
                  <td>{r.run}</td>
                  <td>{r.pairs}</td>
                  <td>{r.baselinePassed}</td>
                  <td>{r.passed}</td>
                  <td>{points(r.delta)}</td>
                  <td>{`[${points(r.low)}, ${points(r.high)}]`}</td>
                  <td>{r.mcnemar.pValue < 0.001 ? '< 0.001' : r.mcnemar.pValue.toFixed(3)}</td>
                  <td>{r.dropped}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {a.notes.map((n) => (
            <p key={n} class="deficit-line note">{`note: ${n}`}</p>
          ))}
        </div>
      ))}
      {report.refusedTeamAblations.map((r) => (
        <p key={r.run} class="refused">{`Not compared: ${r.run}${r.baseline ? ` vs ${r.baseline}` : ''}: ${r.reasons.join('; ')}`}</p>
      ))}
      <p class="caption">
        Each team run with one feature off (a --team-no-* flag) against the run of the same agent, model, limits, prompts, communication and evaluation policy
        with every feature on, on the pairs both judged: Δ = ablated − baseline in points with Newcombe's paired 95% interval, and McNemar's exact test.
        Upstream's published table gives the counts and Δ only.
      </p>
    </section>
  )
}
