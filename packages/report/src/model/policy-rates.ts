import { countVerdicts, type PairFolder, PairFiles, policyOf, verdictOf } from '@cooperbench/results'
import type { EvaluationPolicy, MergeStrategy } from '@cooperbench/spec'
import type { RateRow } from './rate-row.js'

/** How many passes came through each way of making the tested tree. */
export type StrategyMix = Record<MergeStrategy | 'unknown', number>

/** One run's coop rate under one evaluation policy, with its denominator both ways and the strategies behind its passes. */
export interface PolicyRate extends Omit<RateRow, 'ci'> {
  /** A policy name as the verdicts record it (one this version does not know stays apart, as written). */
  policy: string
  /** Where the verdicts are: eval.json (the run's own policy) or a re-score's `eval.<policy>.json`. */
  file: string
  /** passed / (passed + failed + errors): every judged pair in the denominator. */
  rateWithErrors: number | null
  /** The merge strategies of the passing pairs. */
  passesBy: StrategyMix
  /** Whether the verdicts name their policy; records written before policies existed do not (they count as 0.0.14). */
  named: boolean
}

/** Whether a row's policies are worth a table: re-scores, or verdicts that name their policy. */
export function showsPolicies(row: { policies: PolicyRate[] }): boolean {
  return row.policies.length > 1 || row.policies.some((p) => p.named)
}

/**
 * Each policy a coop row has verdicts for, its own (eval.json) first, then `eval --policy` re-scores (`eval.<policy>.json`), never
 * pooled. eval.json verdicts of several policies (hand-written, or an older harness's beside ours) are split by policy.
 */
export function policyRates(pairs: PairFolder[], rescored: Partial<Record<EvaluationPolicy, PairFolder[]>>): PolicyRate[] {
  const judged = pairs.filter((p) => p.eval !== null)
  const own = [...new Set(judged.map((p) => policyOf(p.eval!)))]
  const ofPolicy = (policy: string) => judged.filter((p) => policyOf(p.eval!) === policy)
  const rates = own.map((policy) => rateOf(policy, PairFiles.eval, pairs.length, ofPolicy(policy)))
  const dirs = new Set(pairs.map((p) => p.dir))
  for (const [policy, folders] of Object.entries(rescored) as [EvaluationPolicy, PairFolder[]][]) {
    const same = folders.filter((p) => dirs.has(p.dir) && p.eval !== null)
    if (same.length > 0) rates.push(rateOf(policy, PairFiles.evalUnder(policy), pairs.length, same))
  }
  return rates
}

function rateOf(policy: string, file: string, pairs: number, judged: PairFolder[]): PolicyRate {
  const { passed, failed, errors } = countVerdicts(judged.map((p) => verdictOf(p.eval)))
  return {
    policy,
    file,
    pairs,
    evaluated: passed + failed + errors,
    passed,
    failed,
    errors,
    rate: passed + failed > 0 ? passed / (passed + failed) : null,
    rateWithErrors: passed + failed + errors > 0 ? passed / (passed + failed + errors) : null,
    passesBy: strategyMix(judged),
    named: judged.some((p) => p.eval?.policy !== undefined),
  }
}

/** The merge strategies of the passing pairs among `pairs` (the others are not counted). */
export function strategyMix(pairs: PairFolder[]): StrategyMix {
  const mix: StrategyMix = { naive: 0, union: 0, 'skip-merge-identical': 0, 'sequential-fold': 0, 'solo-agent1': 0, unknown: 0 }
  for (const p of pairs) if (verdictOf(p.eval) === 'pass') mix[p.eval?.merge?.strategy ?? 'unknown']++
  return mix
}

/**
 * `naive 3 (75%), solo-agent1 1 (25%)`: strategies with passes and their shares. Under cooperbench-0.0.16 a conflicted merge is
 * scored by agent1's patch alone (`solo-agent1`), a pass saying nothing of the merge, hence the share beside every rate.
 */
export function strategyMixText(mix: StrategyMix): string {
  const total = Object.values(mix).reduce((a, b) => a + b, 0)
  const parts = Object.entries(mix)
    .filter(([, n]) => n > 0)
    .map(([strategy, n]) => `${strategy} ${n} (${Math.round((100 * n) / total)}%)`)
  return parts.length > 0 ? parts.join(', ') : 'no passes'
}

/** The policy of a row's own verdicts (eval.json; the first, when it holds several); null without any. */
export function ownPolicy(policies: PolicyRate[]): string | null {
  return policies.find((p) => p.file === PairFiles.eval)?.policy ?? null
}

/** Notes when coop rows were judged under different policies (or one row under several in eval.json): their rates are not comparable. */
export function policyNotes(rows: Array<{ run: string; policies: PolicyRate[] }>): string[] {
  const notes: string[] = []
  for (const row of rows) {
    const own = row.policies.filter((p) => p.file === PairFiles.eval)
    if (own.length > 1) notes.push(`${row.run}: eval.json holds verdicts of ${own.map((p) => p.policy).join(' and ')}; each is counted apart`)
  }
  const headline = new Map(rows.map((row) => [row.run, ownPolicy(row.policies)]))
  const distinct = new Set([...headline.values()].filter((p) => p !== null))
  if (distinct.size > 1) {
    const list = [...headline].map(([run, policy]) => `${run} (${policy ?? 'no verdicts'})`).join(', ')
    notes.push(
      `coop runs scored under different evaluation policies: ${list}; their rates are not comparable (re-score with \`cooperbench eval -n RUN --policy P\`)`,
    )
  }
  return notes
}
