import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { type EvaluationPolicy, type EvalRecord, isEvaluationPolicy, UNNAMED_EVALUATION_POLICY } from '@cooperbench/spec'
import { RunFiles } from './layout.js'
import type { PairFolder } from './scan-run.js'
import { readJsonIfPresent } from './read-json.js'

/**
 * The evaluation policy a run was made under. Only pairs judged by merging depend on it, so the
 * fingerprint in config.json of a setting judged so (`judgedByMerge`) decides (its
 * `evaluation_policy`, absent for 0.0.14): a solo run written into the same folder later cannot
 * change it. Without one, config.json's `evaluation_policy`; a config.json with neither was written
 * before policies existed, when every run was judged as `cooperbench-0.0.14` judges. Null when the
 * folder has no config.json (a folder the reference wrote, for instance): nothing says.
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

/**
 * The policy of the verdicts a folder without config.json already holds (one the reference wrote):
 * its first merged pair's eval.json's (`policyOf`), or null when it has none. Such verdicts are completed
 * under that policy and re-scores go beside them, never over them.
 */
export function recordedPolicy(pairs: readonly PairFolder[]): string | null {
  const judged = pairs.find((p) => p.eval !== null && p.eval.merge !== null && p.eval.merge !== undefined)
  return judged === undefined ? null : policyOf(judged.eval!)
}

/**
 * The policy a verdict was made under: its `policy` key (a name this version does not know is kept
 * as written, never taken for another); records without one were scored as `cooperbench-0.0.14`.
 */
export function policyOf(record: Pick<EvalRecord, 'policy'>): string {
  const policy: unknown = record.policy
  return typeof policy === 'string' && policy !== '' ? policy : UNNAMED_EVALUATION_POLICY
}
