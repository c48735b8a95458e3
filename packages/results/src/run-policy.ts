import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { type EvaluationPolicy, type EvalRecord, isEvaluationPolicy, UNNAMED_EVALUATION_POLICY } from '@cooperbench/spec'
import { RunFiles } from './layout.js'
import type { PairFolder } from './scan-run.js'
import { readJsonIfPresent } from './read-json.js'

/**
 * Only merged pairs depend on it, so a merge-judged setting's fingerprint decides (absent: 0.0.14), which a later solo run cannot
 * change; else config.json's `evaluation_policy`; with neither, `cooperbench-0.0.14`. Null without config.json (a reference folder).
 */
export async function readRunPolicy(runDirectory: string, judgedByMerge: (setting: string) => boolean): Promise<EvaluationPolicy | null> {
  const path = join(runDirectory, RunFiles.config)
  if (!existsSync(path)) return null
  type Stored = { value?: { evaluation_policy?: unknown } }
  const stored = await readJsonIfPresent<{ evaluation_policy?: unknown; fingerprints?: Record<string, Stored> }>(path)
  const merged = Object.entries(stored?.fingerprints ?? {}).find(([setting, fingerprint]) => judgedByMerge(setting) && fingerprint?.value !== undefined)
  const value = merged?.[1].value
  if (value !== undefined) return isEvaluationPolicy(value.evaluation_policy) ? value.evaluation_policy : UNNAMED_EVALUATION_POLICY
  return isEvaluationPolicy(stored?.evaluation_policy) ? stored.evaluation_policy : UNNAMED_EVALUATION_POLICY
}

/** A reference folder's: its first merged pair's (`policyOf`); its verdicts are completed under it, re-scores go beside, never over. */
export function recordedPolicy(pairs: readonly PairFolder[]): string | null {
  const judged = pairs.find((p) => p.eval !== null && p.eval.merge !== null && p.eval.merge !== undefined)
  return judged === undefined ? null : policyOf(judged.eval!)
}

/** A verdict's policy: its `policy` key (an unknown name kept as written, never taken for another); without one `cooperbench-0.0.14`. */
export function policyOf(record: Pick<EvalRecord, 'policy'>): string {
  const policy: unknown = record.policy
  return typeof policy === 'string' && policy !== '' ? policy : UNNAMED_EVALUATION_POLICY
}
