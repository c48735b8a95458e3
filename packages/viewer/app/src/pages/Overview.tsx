import type { Deficit, MergeOutcomeRate, RefusedComparison, SettingReport, ViewerData } from '../../../src/model.ts'
import { DeficitChart } from '../charts/DeficitChart.tsx'
import { type AgreementCell, CELL_NAMES, comparisonParam } from '../comparison.ts'
import { type RateBar, RateChart } from '../charts/RateChart.tsx'
import { StackedBars } from '../charts/StackedBars.tsx'
import { ValueBars } from '../charts/ValueBars.tsx'
import { costText, count, interval, percent, points, tokens, totalTokens } from '../format.ts'
import { RunConfiguration } from '../RunConfiguration.tsx'
import { pairsHref } from '../router.ts'
import { Ablations, FailureAnalyses } from './AnalysisSections.tsx'
import { Leaderboard } from './Leaderboard.tsx'

const rowName = (row: SettingReport) => `${row.setting}${row.teamSize > 2 ? ` ×${row.teamSize}` : ''}`
const team = (row: { teamSize: number }) => (row.teamSize === 2 ? undefined : String(row.teamSize))
const comparisonHref = (d: Pick<Deficit, 'soloRun' | 'coopRun' | 'teamSize'>, cell?: AgreementCell) => pairsHref({ cmp: comparisonParam(d), cell })

/** Pass rates, deficits, merge outcomes, cost and tokens of the runs shown: `cooperbench report`'s numbers, drawn. */
export function Overview({ data }: { data: ViewerData }) {
  const { report } = data
  const rows = report.settings
  const coopRows = rows.filter((r) => r.setting === 'coop')
  const unfinished = new Set(data.runs.filter((r) => r.unfinished).map((r) => r.name))
  const partial = (row: SettingReport) => unfinished.has(row.runs[0]!)
  const overall: RateBar[] = rows.map((row) => ({
    label: row.runs[0]!,
    note: `${rowName(row)}${row.interrupted ? ' · interrupted' : ''}${partial(row) ? ' · partial, run unfinished' : ''}`,
    rate: row.rate,
    ci: row.ci,
    passed: row.passed,
    judged: row.passed + row.failed,
    tone: row.setting,
    partial: partial(row),
    href: pairsHref({ run: row.runs[0], setting: row.setting, team: team(row) }),
  }))
  // A deficit of an unfinished run would change as pairs finish: listed, not plotted.
  const plotted = report.deficits.filter((d) => !unfinished.has(d.soloRun) && !unfinished.has(d.coopRun))
  const waiting = report.deficits.filter((d) => !plotted.includes(d))
  const repos = [...new Set(rows.flatMap((r) => r.perRepo.map((p) => p.repo)))].sort()
  const perRepo: RateBar[] = repos.flatMap((repo) =>
    rows.flatMap((row, i) => {
      const r = row.perRepo.find((p) => p.repo === repo)
      if (!r) return []
      const first = rows.findIndex((other) => other.perRepo.some((p) => p.repo === repo)) === i
      return [
        {
          label: row.runs[0]!,
          note: rowName(row),
          rate: r.rate,
          ci: r.ci,
          passed: r.passed,
          judged: r.passed + r.failed,
          tone: row.setting,
          partial: partial(row),
          href: pairsHref({ run: row.runs[0], setting: row.setting, repo, team: team(row) }),
          ...(first ? { group: repo } : {}),
        },
      ]
    }),
  )
  return (
    <div class="overview">
      <Leaderboard rows={report.leaderboard} unfinished={unfinished} />
      <section class="runs">
        <h2>Runs</h2>
        <div class="run-cards">
          {data.runs.map((run) => (
            <a class="run-card" key={run.name} href={pairsHref({ run: run.name })}>
              <div class="run-name">{run.name}</div>
              <div class="run-meta">{[run.settings.join(' + ') || 'no pairs yet', run.agent, run.model].filter(Boolean).join(' · ')}</div>
              <div class="run-stats">
                <span class="finished-of-planned">{`${run.finished}/${run.planned} pairs finished`}</span>
                {run.running > 0 && <span class="badge running">{`${run.running} running`}</span>}
                {run.unfinished && (
                  <span class="badge unfinished" title="No summary.json since the run started: it is still going, or stopped without finishing">
                    unfinished: rates are partial
                  </span>
                )}
                {run.interrupted && <span class="badge interrupted">interrupted</span>}
                <span>{costText(run.cost, run.costUnknownPairs, run.finished)}</span>
                <span>{`${count(totalTokens(run.tokens))} tokens`}</span>
              </div>
            </a>
          ))}
        </div>
        {data.runs.map((run) => (
          <RunConfiguration key={run.name} run={run} />
        ))}
      </section>

      {rows.length === 0 ? (
        <p class="empty">No finished pairs yet. This page re-reads the run folders every few seconds.</p>
      ) : (
        <>
          <section>
            <h2>Pass rate (both features pass), 95% CI</h2>
            <RateChart title="Pass rate per run and setting" bars={overall} />
          </section>
          <section class="deficit">
            <h2>Coordination deficit, relative: (solo − coop) / solo</h2>
            {report.deficits.length + report.refused.length > 0 ? (
              <>
                {plotted.length > 0 && <DeficitChart deficits={plotted} hrefOf={(d) => comparisonHref(d)} />}
                {waiting.map((d) => (
                  <p key={comparisonParam(d)} class="not-plotted">
                    {`Not plotted: ${d.soloRun} vs ${d.coopRun} — ${[d.soloRun, d.coopRun]
                      .filter((name) => unfinished.has(name))
                      .map((name) => {
                        const run = data.runs.find((r) => r.name === name)!
                        return `${name} is unfinished (${run.finished} of ${run.planned} pairs)`
                      })
                      .join(', ')}; the figures below are partial.`}
                  </p>
                ))}
                <p class="caption">
                  Computed on the pairs both runs judged. Relative deficit with a Jeffreys 95% interval (the Dirichlet posterior of the agreement table: it
                  keeps its width when every pair agrees, and is not estimable when solo passed no pair); beside it the difference in points (solo − coop) with
                  Newcombe's paired 95% CI. Runs of a different agent, model, limits or prompt profile are not compared. Each row and count opens its pairs.
                </p>
                {report.deficits.map((d) => (
                  <DeficitDetail key={`${d.soloRun}-${d.coopRun}-${d.teamSize}`} d={d} partial={unfinished.has(d.soloRun) || unfinished.has(d.coopRun)} />
                ))}
                <RefusedList refused={report.refused} />
              </>
            ) : (
              <p class="empty">Needs a solo and a coop run of the same team size (give both with -n, or --solo and --coop).</p>
            )}
          </section>
          <Ablations report={report} />
          <FailureAnalyses analyses={report.analyses} />
          <section>
            <h2>Pass rate per repository</h2>
            <RateChart title="Pass rate per repository" bars={perRepo} />
          </section>
          {coopRows.length > 0 && (
            <section>
              <h2>Merge outcomes (coop)</h2>
              <StackedBars
                title="Merge outcomes"
                rows={coopRows.map((row) => ({
                  label: row.runs[0]!,
                  note: rowName(row),
                  segments: [
                    { key: 'clean', label: 'clean', value: row.merge.clean, href: mergeHref(row, 'clean') },
                    // A conflict is only recorded when the union merge then succeeded; a failed union is an error.
                    { key: 'union', label: 'union', value: row.merge.conflicts, href: mergeHref(row, 'union') },
                    { key: 'failed', label: 'failed', value: row.merge.missing_input, href: mergeHref(row, 'failed') },
                    // An evaluation error (the sandbox did not start…) is not a merge result.
                    { key: 'eval_error', label: 'eval error', value: row.merge.error, href: mergeHref(row, 'eval_error') },
                  ],
                }))}
              />
              <p class="caption">
                clean: git merged the patches; union: they conflicted and the union merge was tested; failed: a patch did not apply; eval error: the evaluation
                could not run (not a merge result).
              </p>
              {coopRows.map((row) => (
                <p key={`${row.runs[0]}-${row.teamSize}`} class="by-merge">
                  {`Pass rate by merge outcome, ${row.runs[0]}: `}
                  {row.byMerge.map((m, i) => (
                    <span key={m.outcome}>
                      {i > 0 && ' · '}
                      <a href={mergeHref(row, MERGE_FILTER[m.outcome])}>{mergeRateText(m)}</a>
                    </span>
                  ))}
                </p>
              ))}
            </section>
          )}
          <section class="two-charts">
            <div>
              <h2>Cost</h2>
              <ValueBars
                title="Cost per run and setting"
                rows={rows.map((row) => ({
                  label: `${row.runs[0]} · ${rowName(row)}`,
                  value: row.costUnknownPairs >= row.pairs ? 0 : row.cost,
                  text: costText(row.cost, row.costUnknownPairs, row.pairs),
                }))}
              />
            </div>
            <div>
              <h2>Tokens</h2>
              <ValueBars
                title="Tokens per run and setting"
                rows={rows.map((row) => {
                  const t = data.tokens.find((x) => x.run === row.runs[0] && x.setting === row.setting && x.teamSize === row.teamSize)?.tokens
                  return { label: `${row.runs[0]} · ${rowName(row)}`, value: t ? totalTokens(t) : 0, text: t ? tokens(t) : '–' }
                })}
              />
            </div>
          </section>
          <section>
            <h2>Numbers</h2>
            <table class="numbers">
              <thead>
                <tr>
                  <th>run</th>
                  <th>setting</th>
                  <th>pairs</th>
                  <th>passed</th>
                  <th>failed</th>
                  <th>eval errors</th>
                  <th>rate</th>
                  <th>95% CI</th>
                  <th>strict rate</th>
                  <th>not submitted (infra/agent)</th>
                  <th>cost</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={`${row.runs[0]}-${row.setting}-${row.teamSize}`}>
                    <td>
                      <a href={pairsHref({ run: row.runs[0], setting: row.setting })}>{row.runs[0]}</a>
                    </td>
                    <td>{rowName(row)}</td>
                    <td>{row.pairs}</td>
                    <td>{row.passed}</td>
                    <td>{row.failed}</td>
                    <td>{row.errors}</td>
                    <td>
                      <a href={pairsHref({ run: row.runs[0], setting: row.setting, team: team(row) })}>{percent(row.rate)}</a>
                      {partial(row) && <span class="badge partial">partial</span>}
                    </td>
                    <td>{interval(row.ci)}</td>
                    <td>{percent(row.strict.rate)}</td>
                    <td>{`${row.failures.infra}/${row.failures.agent}`}</td>
                    <td>{costText(row.cost, row.costUnknownPairs, row.pairs)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p class="caption">
              rate: pairs whose features all pass after the merge, over pairs passed or failed (union-merge fallback included, as the reference scores); strict:
              the merge was clean as well. eval errors: the evaluation could not run (not a failure); they are in no rate.
            </p>
          </section>
        </>
      )}
      {data.problems.length > 0 && (
        <section class="problems">
          <h2>Files that could not be read</h2>
          <ul>
            {data.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </section>
      )}
    </div>
  )
}

const MERGE_NAMES: Record<MergeOutcomeRate['outcome'], string> = { clean: 'clean', union: 'union-merged', missing_input: 'a patch did not apply' }
/** The pair list's merge filter for each pass-rate-by-merge class. */
const MERGE_FILTER: Record<MergeOutcomeRate['outcome'], string> = { clean: 'clean', union: 'union', missing_input: 'failed' }

const mergeHref = (row: SettingReport, merge: string) => pairsHref({ run: row.runs[0], setting: 'coop', merge, team: team(row) })

/** The comparisons the deficit refuses, folded into one line that opens to the list with every reason in full. */
function RefusedList({ refused }: { refused: RefusedComparison[] }) {
  if (refused.length === 0) return null
  return (
    <details class="refused-list">
      <summary>{`${refused.length} solo × coop combination${refused.length === 1 ? '' : 's'} not compared (different agent, model, limits or prompts)`}</summary>
      <ul>
        {refused.map((r) => (
          <li key={`${r.soloRun}-${r.coopRun}-${r.teamSize}`} class="refused">
            <span class="refused-runs">{`${r.soloRun} (solo) vs ${r.coopRun} (coop)${r.teamSize === 2 ? '' : `, teams of ${r.teamSize}`}`}</span>
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

function mergeRateText(m: MergeOutcomeRate): string {
  return `${MERGE_NAMES[m.outcome]} ${m.passed}/${m.pairs}${m.rate === null ? '' : ` (${percent(m.rate)})`}`
}

/** One comparison in words and numbers: both measures, the rates, what was dropped, the 2×2 agreement table (each count a link to its pairs), McNemar. */
function DeficitDetail({ d, partial }: { d: Deficit; partial: boolean }) {
  const r = d.relative
  const relative = r.value === null ? 'not estimable (solo passed no pair)' : `${percent(r.value)}, 95% CI [${percent(r.low)}, ${percent(r.high)}]`
  const dropped = d.dropped.soloOnly + d.dropped.coopOnly + d.dropped.notJudgedInBoth
  const droppedText = dropped
    ? ` (${dropped} dropped: ${d.dropped.soloOnly} only in solo, ${d.dropped.coopOnly} only in coop, ${d.dropped.notJudgedInBoth} not judged in both)`
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
        <a href={comparisonHref(d)}>{`Relative deficit ${d.soloRun} vs ${d.coopRun}: ${relative}`}</a>
        {` · difference ${points(d.difference)} points, 95% CI [${points(d.low)}, ${points(d.high)}]`}
        {partial && <span class="badge partial">partial: a run is unfinished</span>}
      </span>
      <span class="deficit-line note">
        {`solo ${percent(d.solo)}, coop ${percent(d.coop)} on `}
        <a href={comparisonHref(d)}>{`${d.pairs} common pairs`}</a>
        {`${droppedText} · strict: solo ${percent(d.strict.solo)}, coop ${percent(d.strict.coop)}, relative ${strictRelative} · McNemar exact ${p}`}
      </span>
      <table class="agreement">
        <thead>
          <tr>
            <th />
            <th>coop passed</th>
            <th>coop failed</th>
          </tr>
        </thead>
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
