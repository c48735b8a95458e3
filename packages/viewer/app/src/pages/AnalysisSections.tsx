import type { Ablation, AblationVariant, RunAnalysisReport, RunReport } from '../../../src/model.ts'
import { type RateBar, RateChart } from '../charts/RateChart.tsx'
import { categoryName, interval, percent } from '../format.ts'
import { pairsHref } from '../router.ts'
import { TableHead } from '../TableHead.tsx'

/** Per coop run with an analysis.json: the failure categories with their intervals, and the signals computed without a model. */
export function FailureAnalyses({ analyses }: { analyses: RunAnalysisReport[] }) {
  if (analyses.length === 0) return null
  return (
    <section class="failure-analysis">
      <h2>Why coop pairs failed (cooperbench analyze)</h2>
      {analyses.map((a) => (
        <RunAnalysis key={a.run} a={a} />
      ))}
      <p class="caption">
        Categories: the failure taxonomy of the CooperBench paper as an LLM judge named it for each failed pair (a model's judgement, not ground truth), share
        of judged failed pairs with a 95% Wilson interval. Signals: computed from the pair folders without any model.
      </p>
    </section>
  )
}

function RunAnalysis({ a }: { a: RunAnalysisReport }) {
  const stale = a.coopPairs > a.pairsAnalyzed ? ` · the run has ${a.coopPairs - a.pairsAnalyzed} pairs more: rerun cooperbench analyze -n ${a.run}` : ''
  const bars: RateBar[] = a.categories.map((c) => ({
    label: categoryName(c.category),
    rate: c.share,
    ci: c.ci,
    passed: c.count,
    judged: a.judged,
    tone: 'coop',
    href: pairsHref({ run: a.run, category: c.category }),
  }))
  const s = a.signals
  const signals: Array<[string, string | number]> = [
    ['messages per pair', s.messages_per_pair.toFixed(2)],
    ['steps on messaging', `${percent(s.messaging_step_share)} (tokens ${percent(s.messaging_token_share)})`],
    ['unanswered questions per pair', s.unanswered_questions_per_pair.toFixed(2)],
    ['pairs editing a common file', s.pairs_with_shared_files],
    ['broken promises', s.broken_promises],
  ]
  return (
    <div class="run-analysis" data-run={a.run}>
      <h3>{a.run}</h3>
      <p class="analysis-coverage">
        {`${a.pairsAnalyzed} of ${a.coopPairs} coop pairs analysed${stale}` +
          (a.judge
            ? ` · judge ${a.judge.model} (${a.judge.prompt_version}): ${a.judged} of ${a.failed} failed pairs judged`
            : ' · categories not judged (analyze with -m MODEL)')}
      </p>
      {a.judge && <RateChart title={`Failure categories of ${a.run}`} bars={bars} />}
      <table class="signals">
        <tbody>
          {signals.map(([name, value]) => (
            <tr key={name}>
              <th>{name}</th>
              <td>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/** Coop runs of one configuration with and without messaging or git, side by side on the pairs all of them judged. */
export function Ablations({ report }: { report: Pick<RunReport, 'ablations' | 'refusedAblations'> }) {
  if (report.ablations.length + report.refusedAblations.length === 0) return null
  return (
    <section class="ablations">
      <h2>Communication ablation: messaging vs no messaging vs git</h2>
      {report.ablations.map((a, i) => (
        <AblationView key={i} a={a} />
      ))}
      {report.refusedAblations.map((r) => (
        <p key={r.runs.join(' ')} class="refused">{`Not compared: ${r.runs[0]} vs ${r.runs[1]}: ${r.reasons.join('; ')}`}</p>
      ))}
      <p class="caption">
        Runs of the same agent, model, limits and prompts that differ only in --no-messaging or --git, on the pairs every one of them judged. Success: all
        features pass; conflicts: the naive merge of the patches conflicted (the union merge was then tested); steps on messaging: mean share of steps sending
        or reading messages, from each run's analysis.json. 95% Wilson intervals.
      </p>
    </section>
  )
}

function AblationView({ a }: { a: Ablation }) {
  const bar = (group: string, v: AblationVariant, rate: AblationVariant['success'], first: boolean): RateBar => ({
    label: v.run,
    note: v.mode,
    rate: rate.rate,
    ci: rate.ci,
    passed: rate.count,
    judged: a.pairs,
    tone: 'coop',
    ...(first ? { group } : {}),
  })
  const bars = [
    ...a.variants.map((v, i) => bar('success (all features pass)', v, v.success, i === 0)),
    ...a.variants.map((v, i) => bar('merge conflicts', v, v.conflicts, i === 0)),
  ]
  return (
    <div class="ablation">
      <p class="deficit-line note">{`${a.pairSize === 2 ? '' : `teams of ${a.pairSize}: `}${a.pairs} pairs judged in every run${a.dropped ? ` (${a.dropped} dropped: not judged in every run)` : ''}`}</p>
      <RateChart title="Communication ablation" bars={bars} />
      <table class="numbers ablation-table">
        <TableHead columns={['run', 'communication', 'success', '95% CI', 'conflicts', '95% CI', 'steps on messaging']} />
        <tbody>
          {a.variants.map((v) => (
            <tr key={v.run} data-run={v.run}>
              <td>{v.run}</td>
              <td>{v.mode}</td>
              <td>{`${percent(v.success.rate)} (${v.success.count}/${a.pairs})`}</td>
              <td>{interval(v.success.ci)}</td>
              <td>{`${percent(v.conflicts.rate)} (${v.conflicts.count}/${a.pairs})`}</td>
              <td>{interval(v.conflicts.ci)}</td>
              <td>{v.messagingShare === null ? 'unknown (no analysis.json)' : `${percent(v.messagingShare)} (${v.messagingSharePairs} pairs)`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
