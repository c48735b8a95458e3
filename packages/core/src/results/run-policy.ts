import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { EvaluationPolicy, EvalRecord } from '@cooperbench/spec'
import { isEvaluationPolicy, UNNAMED_EVALUATION_POLICY } from '@cooperbench/spec/records'
import { RunFiles } from './layout.js'
import { readJsonIfPresent } from './read-json.js'

/**
 * The evaluation policy a run was made under: config.json's `evaluation_policy`; a config.json
 * without one was written before policies existed, when every run was judged as
 * `cooperbench-0.0.14` judges. Null when the folder has no config.json (a folder the reference
 * wrote, for instance): nothing says.
 */
export async function readRunPolicy(runDirectory: string): Promise<EvaluationPolicy | null> {
  const path = join(runDirectory, RunFiles.config)
  if (!existsSync(path)) return null
  const stored = await readJsonIfPresent<{ evaluation_policy?: unknown }>(path)
  return isEvaluationPolicy(stored?.evaluation_policy) ? stored.evaluation_policy : UNNAMED_EVALUATION_POLICY
}

/** The policy a verdict was made under: its `policy` key; records without one were scored as `cooperbench-0.0.14`. */
export function policyOf(record: Pick<EvalRecord, 'policy'>): EvaluationPolicy {
  return isEvaluationPolicy(record.policy) ? record.policy : UNNAMED_EVALUATION_POLICY
}
