import type { Setting } from '../contracts/task.js'
import { differenceInterval, wilsonInterval } from './confidence.js'
import { verdictOf } from './eval-summary.js'
import type { PairFolder } from './scan-run.js'

export interface RateRow {
  pairs: number
  evaluated: number
  passed: number
  failed: number
  errors: number
  /** both-passed / (passed + failed); errors excluded as in eval_summary.json. */
  rate: number | null
  ci: { low: number; high: number } | null
}

export interface SettingReport extends RateRow {
  setting: Setting
  /** Features per pair (team); rates of different team sizes are never pooled. */
  teamSize: number
  /** The run was interrupted (its summary says so): the rates cover its finished pairs only. */
  interrupted: boolean
  /** Agents that did not submit, by whose failure it was (`infra` is worth a rerun). */
  failures: { infra: number; agent: number }
  runs: string[]
  cost: number
  merge: { clean: number; conflicts: number; union: number; missing_input: number; error: number }
  perRepo: Array<RateRow & { repo: string }>
}

export interface Deficit {
  teamSize: number
  soloRun: string
  coopRun: string
  solo: number
  coop: number
  difference: number
  low: number
  high: number
}

export interface RunReport {
  /**
   * One entry per run, setting and team size: solo then coop, smaller teams first. Two runs are
   * never pooled: the same pair counted twice would make an interval falsely narrow.
   */
  settings: SettingReport[]
  /**
   * Solo rate minus coop rate, with Newcombe's 95% interval, when both settings are present:
   * for pairs when there are pairs, else for the smallest team size that has both.
   */
  deficit: Deficit | null
  /** The deficit of every solo row and coop row of the same team size. */
  deficits: Deficit[]
}

/** Everything `cooperbench report` prints, computed from the pair folders of one or more runs. */
export function buildReport(runs: Array<{ name: string; pairs: PairFolder[]; interrupted?: boolean }>): RunReport {
  const settings: SettingReport[] = []
  const sizes = [...new Set(runs.flatMap((run) => run.pairs.map((p) => p.features.length)))].sort((a, b) => a - b)
  for (const setting of ['solo', 'coop'] as const) for (const teamSize of sizes) for (const run of runs) {
    const members = run.pairs.filter((p) => p.setting === setting && p.features.length === teamSize && p.result).map((p) => ({ run: run.name, pair: p }))
    if (members.length === 0) continue
    const pairs = members.map((m) => m.pair)
    const merge = { clean: 0, conflicts: 0, union: 0, missing_input: 0, error: 0 }
    for (const p of pairs) {
      const m = p.eval?.merge
      if (!m) continue
      if (m.status === 'clean') merge.clean++
      else if (m.status === 'conflicts') merge.conflicts++
      else if (m.status === 'missing_input') merge.missing_input++
      else if (m.status === 'error') merge.error++
      if (m.strategy === 'union') merge.union++
    }
    const repos = [...new Set(pairs.map((p) => p.repo))].sort()
    settings.push({
      setting,
      teamSize,
      runs: [run.name],
      interrupted: run.interrupted === true,
      failures: countFailures(pairs),
      cost: round6(pairs.reduce((sum, p) => sum + (p.result?.total_cost ?? 0), 0)),
      ...rateRow(pairs),
      merge,
      perRepo: repos.map((repo) => ({ repo, ...rateRow(pairs.filter((p) => p.repo === repo)) })),
    })
  }
  const deficits: Deficit[] = []
  for (const teamSize of sizes) {
    for (const solo of settings.filter((s) => s.setting === 'solo' && s.teamSize === teamSize && s.rate !== null)) {
      for (const coop of settings.filter((s) => s.setting === 'coop' && s.teamSize === teamSize && s.rate !== null)) {
        const d = differenceInterval(solo.passed, solo.passed + solo.failed, coop.passed, coop.passed + coop.failed)
        deficits.push({ teamSize, soloRun: solo.runs[0]!, coopRun: coop.runs[0]!, solo: solo.rate!, coop: coop.rate!, ...d })
      }
    }
  }
  // Settings sort solo first; within a setting, smaller teams first.
  settings.sort((a, b) => (a.setting === b.setting ? a.teamSize - b.teamSize : a.setting === 'solo' ? -1 : 1))
  return { settings, deficit: deficits.find((d) => d.teamSize === 2) ?? deficits[0] ?? null, deficits }
}

function rateRow(pairs: PairFolder[]): RateRow {
  const verdicts = pairs.map((p) => verdictOf(p.eval))
  const passed = verdicts.filter((v) => v === 'pass').length
  const failed = verdicts.filter((v) => v === 'fail').length
  const errors = verdicts.filter((v) => v === 'error').length
  const n = passed + failed
  return {
    pairs: pairs.length,
    evaluated: passed + failed + errors,
    passed,
    failed,
    errors,
    rate: n ? passed / n : null,
    ci: n ? wilsonInterval(passed, n) : null,
  }
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6
}

function countFailures(pairs: PairFolder[]): { infra: number; agent: number } {
  const counts = { infra: 0, agent: 0 }
  for (const p of pairs) {
    const result = p.result
    if (!result) continue
    // Files from other tools may lack the agent records: count what is there.
    const agents = result.setting === 'coop' ? Object.values(result.agents ?? {}) : result.agent ? [result.agent] : []
    for (const agent of agents) {
      if (agent.status === 'Submitted') continue
      counts[agent.failure === 'infra' ? 'infra' : 'agent']++
    }
  }
  return counts
}
