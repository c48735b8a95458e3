import { createHash } from 'node:crypto'
import { relative } from 'node:path'
import type { AgentSummaryRecord, EvalRecord, FeatureEvalRecord } from '@cooperbench/core'
import { type PairFolder, policyOf, recordAgents, verdictOf } from '@cooperbench/results'
import { addTokens, pairKey, round6 } from '@cooperbench/report'
import { featureVerdicts } from '@cooperbench/spec-utils/records'
import type { MergeOutcome, PairSummary, TokenCounts } from './model.js'

export const ZERO_TOKENS: TokenCounts = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }

/** The tokens of pairs or steps together. */
export function totalTokens(items: ReadonlyArray<{ tokens: TokenCounts }>): TokenCounts {
  return items.reduce((sum, item) => addTokens(sum, item.tokens), { ...ZERO_TOKENS })
}

/** The cost of pairs or steps together, rounded to 6 decimals (no float noise). */
export function totalCost(items: ReadonlyArray<{ cost: number }>): number {
  return round6(items.reduce((sum, item) => sum + item.cost, 0))
}

/** The stable id of a pair folder: the page links and the exported file names use it. */
export function pairId(logDir: string, dir: string): string {
  return createHash('sha256').update(relative(logDir, dir)).digest('hex').slice(0, 16)
}

export function summarisePair(logDir: string, run: string, pair: PairFolder, costUnknown: boolean, category: string | null = null): PairSummary {
  const result = pair.result
  const records = result ? recordAgents(result) : []
  return {
    id: pairId(logDir, pair.dir),
    run,
    setting: pair.setting,
    repo: pair.repo,
    taskId: pair.taskId,
    features: pair.features,
    label: `${pair.repo}/${pair.taskId} ${pair.features.map((f) => `f${f}`).join('_')}`,
    key: pairKey(pair),
    category,
    state: pair.unreadable.length > 0 ? 'unreadable' : result ? 'finished' : 'running',
    verdict: verdictOf(pair.eval),
    merge: pair.eval?.merge
      ? {
          status: pair.eval.merge.status,
          strategy: pair.eval.merge.strategy,
          outcome: mergeOutcome(pair.eval.merge, pair.eval.error),
          policy: policyOf(pair.eval),
        }
      : null,
    cost: result?.total_cost ?? 0,
    costUnknown,
    steps: result?.total_steps ?? 0,
    messages: result?.messages_sent ?? 0,
    tokens: records.reduce((total, [, agent]) => addTokens(total, tokensOf(agent)), { ...ZERO_TOKENS }),
    durationSeconds: result?.duration_seconds ?? null,
    git: result?.git_enabled === true,
    agents: records.map(([id, agent]) => {
      const featureId = (agent as { feature_id?: unknown }).feature_id
      return agentOf(id, typeof featureId === 'number' ? [featureId] : pair.features, agent)
    }),
    tests: judgedFeatureRecords(pair.eval).map(({ record, featureId }) => ({
      featureId,
      passed: record.passed,
      testsPassed: record.tests_passed,
      testsFailed: record.tests_failed,
    })),
  }
}

/**
 * clean: no conflict (or identical patches); union: conflicted, union merge tested (cooperbench-0.0.14); lead_alone: conflicted,
 * agent1's patch alone judged (cooperbench-0.0.16); failed: a patch did not apply; eval_error: any `error` in eval.json (no sandbox,
 * union conflicted too…), whatever placeholder merge it wrote. Grouped as the overview's bars of `buildReport`'s merge counts.
 */
export function mergeOutcome(merge: NonNullable<EvalRecord['merge']>, evalError: string | null | undefined): MergeOutcome {
  if (evalError !== null && evalError !== undefined) return 'eval_error'
  if (merge.status === 'clean' || merge.status === 'identical') return 'clean'
  if (merge.status === 'conflicts') return merge.strategy === 'union' ? 'union' : 'lead_alone'
  return merge.status === 'error' ? 'eval_error' : 'failed'
}

/** The verdict records (`feature1`, `feature2`, … with their feature ids); none when the evaluation errored (placeholders, not fails). */
export function judgedFeatureRecords(record: EvalRecord | null): Array<{ key: string; featureId: number; record: FeatureEvalRecord }> {
  if (!record || (record.error !== null && record.error !== undefined)) return []
  return featureVerdicts(record).map((value, i) => ({ key: `feature${i + 1}`, featureId: value.feature_id ?? record.features?.[i] ?? i + 1, record: value }))
}

function tokensOf(agent: Partial<AgentSummaryRecord>): TokenCounts {
  return {
    input: agent.input_tokens ?? 0,
    output: agent.output_tokens ?? 0,
    cacheRead: agent.cache_read_tokens ?? 0,
    cacheWrite: agent.cache_write_tokens ?? 0,
  }
}

function agentOf(id: string, featureIds: number[], agent: Partial<AgentSummaryRecord>): PairSummary['agents'][number] {
  return { id, featureIds, status: agent.status ?? null, steps: agent.steps ?? 0, cost: agent.cost ?? 0, failure: agent.failure ?? null }
}
