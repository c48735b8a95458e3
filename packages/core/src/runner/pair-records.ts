import { isAbsolute, relative } from 'node:path'
import type { AgentResult, Pair, PatchSource } from '@cooperbench/spec'
import { countPatchLines } from '@cooperbench/spec-utils/patch'
import type { AgentReport } from './events.js'
import { recordedModelOf, type RunPlan } from './plan.js'

/** The keys a pair's result.json starts with: which pair, which run, which agent and model. */
export function resultIdentity(plan: RunPlan, pair: Pair, runId: string) {
  return {
    repo: pair.task.repo,
    task_id: pair.task.taskId,
    features: pair.features,
    run_id: runId,
    run_name: plan.runName,
    agent_framework: plan.agent,
    model: recordedModelOf(plan),
    ...(plan.promptSource === undefined ? {} : { prompt_source: plan.promptSource }),
  }
}

/** The keys after a result's numbers: its folder, base commit, configuration, backend and the agents' task text digest. */
export function resultProvenance(plan: RunPlan, pair: Pair, dir: string, taskText: string) {
  return {
    log_dir: displayPath(dir),
    base_commit: pair.task.source.baseCommit,
    config_hash: plan.fingerprint.hash,
    backend: plan.backend,
    task_text_digest: taskText,
  }
}

/** What the harness took from one seat, as its records and reports are made from it. */
export interface SeatTaken {
  agentId: string
  featureIds: number[]
  result: AgentResult
  patch: string
  patchSource: PatchSource
  /** The working-tree diff, when the agent submitted its own patch and it is not evaluated. */
  worktreePatch?: string
}

export function agentReport(outcome: Omit<SeatTaken, 'patch' | 'patchSource'>): AgentReport {
  const r = outcome.result
  return {
    agentId: outcome.agentId,
    featureIds: outcome.featureIds,
    status: r.status,
    steps: r.steps,
    cost: r.cost,
    costUnknown: r.costUnknown === true,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    error: r.error,
  }
}

export function agentRecord(outcome: SeatTaken) {
  const r = outcome.result
  return {
    status: r.status,
    cost: r.cost,
    ...(r.costUnknown ? { cost_unknown: true as const } : {}),
    steps: r.steps,
    input_tokens: r.input_tokens,
    output_tokens: r.output_tokens,
    cache_read_tokens: r.cache_read_tokens,
    cache_write_tokens: r.cache_write_tokens,
    patch_lines: countPatchLines(outcome.patch),
    error: r.error,
    patch_source: outcome.patchSource,
    ...(outcome.worktreePatch === undefined ? {} : { worktree_patch_lines: countPatchLines(outcome.worktreePatch) }),
    ...(r.status !== 'Submitted' && r.failure !== undefined ? { failure: r.failure } : {}),
  }
}

/** The pair folder as the user addressed it: relative to the working dir when inside it. */
function displayPath(dir: string): string {
  const rel = relative(process.cwd(), dir)
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : dir
}
