import type { RunReport } from '@cooperbench/core/results'
import { table } from '../ui/table.js'

const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(1)}%`)
const interval = (ci: { low: number; high: number } | null) => (ci ? `[${pct(ci.low)}, ${pct(ci.high)}]` : '–')

/** The terminal report (`--format text`, the default): per setting row its counts, merge outcomes and per-repo table, then the deficits. */
export function formatReport(report: RunReport): string {
  const out: string[] = []
  for (const s of report.settings) {
    out.push(`${s.setting}${s.teamSize === 2 ? '' : `, teams of ${s.teamSize}`} (${s.runs.join(', ')})${s.interrupted ? ' — interrupted: rates cover its finished pairs only' : ''}`)
    out.push(
      table(
        [s.teamSize === 2 ? 'pairs' : 'teams', 'evaluated', s.teamSize === 2 ? 'both passed' : 'all passed', 'failed', 'errors', 'rate', '95% CI', 'cost'],
        [[s.pairs, s.evaluated, s.passed, s.failed, s.errors, pct(s.rate), interval(s.ci), `$${s.cost.toFixed(2)}`]],
        ['right', 'right', 'right', 'right', 'right', 'right', 'left', 'right'],
      ),
    )
    if (s.failures.infra + s.failures.agent > 0) {
      out.push(`agents that did not submit: ${s.failures.infra} infrastructure (rerun retries them), ${s.failures.agent} the agent's own`)
    }
    if (s.setting === 'coop') {
      const m = s.merge
      out.push(`merge: clean ${m.clean}, conflicts ${m.conflicts} (tested via union ${m.union}), missing input ${m.missing_input}, errors ${m.error}`)
    }
    out.push(
      table(
        ['repo', 'pairs', 'passed', 'failed', 'errors', 'rate', '95% CI'],
        s.perRepo.map((r) => [r.repo, r.pairs, r.passed, r.failed, r.errors, pct(r.rate), interval(r.ci)]),
        ['left', 'right', 'right', 'right', 'right', 'right', 'left'],
      ),
    )
    out.push('')
  }
  for (const d of report.deficits) {
    out.push(
      `coordination deficit${d.teamSize === 2 ? '' : ` (teams of ${d.teamSize})`}${report.deficits.length > 1 ? ` ${d.soloRun} vs ${d.coopRun}` : ''} (solo − coop): ${(d.difference * 100).toFixed(1)} points, 95% CI [${(d.low * 100).toFixed(1)}, ${(d.high * 100).toFixed(1)}] (solo ${pct(d.solo)}, coop ${pct(d.coop)})`,
    )
  }
  return out.join('\n').trimEnd()
}
