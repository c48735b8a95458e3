import { join } from 'node:path'
import { diffFingerprints } from '@cooperbench/config'
import { CooperbenchError } from '@cooperbench/spec'
import { RunFiles, readJsonIfPresent, type PairFolder } from '@cooperbench/results'
import { recordedModelOf, type RunPlan } from './plan.js'

export interface StoredRunConfig {
  fingerprints?: Record<string, { value: Record<string, unknown>; hash: string }>
  [key: string]: unknown
}

/** Refuses mixing configurations' results in a folder, per setting (the reference reused them: docs/reference-compatibility.md#cli); `--force` reruns. */
export async function checkRunCompatibility(runDirectory: string, plan: RunPlan, onDisk: PairFolder[]): Promise<void> {
  if (plan.force) return
  const stored = await readJsonIfPresent<StoredRunConfig>(join(runDirectory, RunFiles.config))
  const previous = stored?.fingerprints?.[plan.setting]
  const sameSetting = onDisk.filter((p) => p.setting === plan.setting && p.result)
  const foreign = sameSetting.filter((p) => {
    const r = p.result!
    if (r.config_hash) return r.config_hash !== plan.fingerprint.hash
    // A folder written by the reference has no hash: compare what it does record.
    return r.model !== recordedModelOf(plan) || r.agent_framework !== plan.agent
  })
  if (foreign.length === 0 && (!previous || previous.hash === plan.fingerprint.hash || sameSetting.length === 0)) return
  const differences = previous ? diffFingerprints(previous.value, plan.fingerprint.value) : []
  if (differences.length === 0 && foreign[0]?.result) {
    const r = foreign[0].result
    if (r.model !== recordedModelOf(plan)) differences.push(`model: ${JSON.stringify(r.model)} → ${JSON.stringify(recordedModelOf(plan))}`)
    if (r.agent_framework !== plan.agent) differences.push(`agent: ${JSON.stringify(r.agent_framework)} → ${JSON.stringify(plan.agent)}`)
  }
  throw new CooperbenchError(
    'RUN_CONFIG_MISMATCH',
    `run "${plan.runName}" already holds ${plan.setting} results of a different configuration${differences.length ? ` (${differences.join('; ')})` : ''}`,
    {
      hint: 'Choose another run name with -n, or pass --force to rerun every selected pair with the new configuration.',
      details: differences,
    },
  )
}
