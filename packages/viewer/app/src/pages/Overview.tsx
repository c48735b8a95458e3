import type { RunOverview, SettingReport, ViewerData } from '../../../src/model.ts'
import { RateChart } from '../charts/RateChart.tsx'
import { ValueBars } from '../charts/ValueBars.tsx'
import { costText, count, tokens, totalTokens } from '../format.ts'
import { DeficitSection } from '../overview/DeficitSection.tsx'
import { MergeOutcomes } from '../overview/MergeOutcomes.tsx'
import { NumbersTable } from '../overview/NumbersTable.tsx'
import { overallBars, perRepoBars, rowName } from '../overview/rows.ts'
import { RunConfiguration } from '../RunConfiguration.tsx'
import { pairsHref } from '../router.ts'
import { Ablations, FailureAnalyses } from './AnalysisSections.tsx'
import { SettingSections } from '../overview/SettingSections.tsx'
import { Leaderboard } from './Leaderboard.tsx'

/** Pass rates, deficits, merge outcomes, cost and tokens of the runs shown: `cooperbench report`'s numbers, drawn. */
export function Overview({ data }: { data: ViewerData }) {
  const { report } = data
  const rows = report.settings
  const unfinished = new Set(data.runs.filter((r) => r.unfinished).map((r) => r.name))
  const partial = (row: SettingReport) => unfinished.has(row.runs[0]!)
  return (
    <div class="overview">
      <Leaderboard rows={report.leaderboard} unfinished={unfinished} />
      <RunCards runs={data.runs} />

      {rows.length === 0 ? (
        <p class="empty">No finished pairs yet. This page re-reads the run folders every few seconds.</p>
      ) : (
        <>
          <section>
            <h2>Pass rate (both features pass), 95% CI</h2>
            <RateChart title="Pass rate per run and setting" bars={overallBars(rows, partial)} />
          </section>
          <DeficitSection report={report} runs={data.runs} unfinished={unfinished} />
          <Ablations report={report} />
          <SettingSections sections={report.settingSections} />
          <FailureAnalyses analyses={report.analyses} />
          <section>
            <h2>Pass rate per repository</h2>
            <RateChart title="Pass rate per repository" bars={perRepoBars(rows, partial)} />
          </section>
          {/* A setting that judges one patch (solo, sequential) merges nothing: coop rows show theirs even before any verdict. */}
          <MergeOutcomes coopRows={rows.filter((r) => r.setting === 'coop' || Object.values(r.merge).some((n) => n > 0))} />
          <CostAndTokens rows={rows} tokenRows={data.tokens} />
          <NumbersTable rows={rows} partial={partial} />
        </>
      )}
      <Problems problems={data.problems} />
    </div>
  )
}

/** The run folders' files that could not be read; nothing when all were. */
function Problems({ problems }: { problems: string[] }) {
  if (problems.length === 0) return null
  return (
    <section class="problems">
      <h2>Files that could not be read</h2>
      <ul>
        {problems.map((p) => (
          <li key={p}>{p}</li>
        ))}
      </ul>
    </section>
  )
}

/** The runs shown: a card each (progress, badges, cost, tokens) opening its pairs, then each run's configuration. */
function RunCards({ runs }: { runs: RunOverview[] }) {
  return (
    <section class="runs">
      <h2>Runs</h2>
      <div class="run-cards">
        {runs.map((run) => (
          <a class="run-card" key={run.name} href={pairsHref({ run: run.name })}>
            <div class="run-name">{run.name}</div>
            <div class="run-meta">{[run.settings.join(' + ') || 'no pairs yet', run.agent, run.model].filter(Boolean).join(' · ')}</div>
            <div class="run-stats">
              <span class="finished-of-planned">{`${run.finished}/${run.planned} pairs finished`}</span>
              {run.running > 0 && <span class="badge running">{`${run.running} running`}</span>}
              {run.unreadable > 0 && <span class="badge unreadable">{`${run.unreadable} unreadable`}</span>}
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
      {runs.map((run) => (
        <RunConfiguration key={run.name} run={run} />
      ))}
    </section>
  )
}

function CostAndTokens({ rows, tokenRows }: { rows: SettingReport[]; tokenRows: ViewerData['tokens'] }) {
  return (
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
            const t = tokenRows.find((x) => x.run === row.runs[0] && x.setting === row.setting && x.pairSize === row.pairSize)?.tokens
            return { label: `${row.runs[0]} · ${rowName(row)}`, value: t ? totalTokens(t) : 0, text: t ? tokens(t) : '–' }
          })}
        />
      </div>
    </section>
  )
}
