import type { Deficit, SettingReport, ViewerData } from '../../../src/model.ts'
import { DeficitChart } from '../charts/DeficitChart.tsx'
import { type RateBar, RateChart } from '../charts/RateChart.tsx'
import { StackedBars } from '../charts/StackedBars.tsx'
import { ValueBars } from '../charts/ValueBars.tsx'
import { count, interval, money, percent, tokens, totalTokens } from '../format.ts'
import { pairsHref } from '../router.ts'

const rowName = (row: SettingReport) => `${row.setting}${row.teamSize > 2 ? ` ×${row.teamSize}` : ''}`

/** Pass rates, deficits, merge outcomes, cost and tokens of the runs shown: `cooperbench report`'s numbers, drawn. */
export function Overview({ data }: { data: ViewerData }) {
  const { report } = data
  const rows = report.settings
  const coopRows = rows.filter((r) => r.setting === 'coop')
  const overall: RateBar[] = rows.map((row) => ({
    label: row.runs[0]!,
    note: `${rowName(row)}${row.interrupted ? ' · interrupted' : ''}`,
    rate: row.rate,
    ci: row.ci,
    passed: row.passed,
    judged: row.passed + row.failed,
    tone: row.setting,
  }))
  const repos = [...new Set(rows.flatMap((r) => r.perRepo.map((p) => p.repo)))].sort()
  const perRepo: RateBar[] = repos.flatMap((repo) =>
    rows.flatMap((row, i) => {
      const r = row.perRepo.find((p) => p.repo === repo)
      if (!r) return []
      const first = rows.findIndex((other) => other.perRepo.some((p) => p.repo === repo)) === i
      return [{ label: row.runs[0]!, note: rowName(row), rate: r.rate, ci: r.ci, passed: r.passed, judged: r.passed + r.failed, tone: row.setting, ...(first ? { group: repo } : {}) }]
    }),
  )
  return (
    <div class="overview">
      <section class="runs">
        <h2>Runs</h2>
        <div class="run-cards">
          {data.runs.map((run) => (
            <a class="run-card" key={run.name} href={pairsHref({ run: run.name })}>
              <div class="run-name">{run.name}</div>
              <div class="run-meta">
                {[run.settings.join(' + ') || 'no pairs yet', run.agent, run.model].filter(Boolean).join(' · ')}
              </div>
              <div class="run-stats">
                <span>{`${run.finished}/${run.pairs} pairs finished`}</span>
                {run.running > 0 && <span class="badge running">{`${run.running} running`}</span>}
                {run.interrupted && <span class="badge interrupted">interrupted</span>}
                <span>{money(run.cost)}</span>
                <span>{`${count(totalTokens(run.tokens))} tokens`}</span>
              </div>
            </a>
          ))}
        </div>
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
            <h2>Coordination deficit (solo − coop)</h2>
            {report.deficits.length ? (
              <>
                <DeficitChart deficits={report.deficits} caveats={report.deficits.map((d) => pairCaveat(data, d))} />
                <p class="caption">
                  {report.deficits.map((d) => (
                    <span key={`${d.soloRun}-${d.coopRun}-${d.teamSize}`} class="deficit-line">
                      {`Deficit ${d.soloRun} − ${d.coopRun}: ${(d.difference * 100).toFixed(1)} points, 95% CI [${(d.low * 100).toFixed(1)}, ${(d.high * 100).toFixed(1)}] (solo ${percent(d.solo)}, coop ${percent(d.coop)})`}
                    </span>
                  ))}
                </p>
              </>
            ) : (
              <p class="empty">Needs a solo and a coop run of the same team size (give both with -n).</p>
            )}
          </section>
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
                    { key: 'clean', label: 'clean', value: row.merge.clean },
                    // A conflict is only recorded when the union merge then succeeded; a failed union is an error.
                    { key: 'union', label: 'union', value: row.merge.conflicts },
                    { key: 'failed', label: 'failed', value: row.merge.error + row.merge.missing_input },
                  ],
                }))}
              />
              <p class="caption">clean: git merged the patches; union: they conflicted and the union merge was tested; failed: no merged result (a patch did not apply, or the merge failed).</p>
            </section>
          )}
          <section class="two-charts">
            <div>
              <h2>Cost</h2>
              <ValueBars title="Cost per run and setting" rows={rows.map((row) => ({ label: `${row.runs[0]} · ${rowName(row)}`, value: row.cost, text: money(row.cost) }))} />
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
                  <th>run</th><th>setting</th><th>pairs</th><th>passed</th><th>failed</th><th>errors</th><th>rate</th><th>95% CI</th><th>not submitted (infra/agent)</th><th>cost</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={`${row.runs[0]}-${row.setting}-${row.teamSize}`}>
                    <td><a href={pairsHref({ run: row.runs[0], setting: row.setting })}>{row.runs[0]}</a></td>
                    <td>{rowName(row)}</td>
                    <td>{row.pairs}</td>
                    <td>{row.passed}</td>
                    <td>{row.failed}</td>
                    <td>{row.errors}</td>
                    <td>{percent(row.rate)}</td>
                    <td>{interval(row.ci)}</td>
                    <td>{`${row.failures.infra}/${row.failures.agent}`}</td>
                    <td>{money(row.cost)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      )}
      {data.problems.length > 0 && (
        <section class="problems">
          <h2>Files that could not be read</h2>
          <ul>{data.problems.map((p) => <li key={p}>{p}</li>)}</ul>
        </section>
      )}
    </div>
  )
}

/** A deficit compares two runs: say so when they did not run the same pairs. */
function pairCaveat(data: ViewerData, d: Deficit): string {
  const keys = (run: string, setting: string) =>
    new Set(data.pairs.filter((p) => p.run === run && p.setting === setting && p.features.length === d.teamSize && p.state === 'finished').map((p) => p.label))
  const solo = keys(d.soloRun, 'solo')
  const coop = keys(d.coopRun, 'coop')
  const same = solo.size === coop.size && [...solo].every((k) => coop.has(k))
  return same ? 'same pairs' : 'different pairs'
}
