import { join } from 'node:path'
import { pairFolderName } from '@cooperbench/spec-utils'

/** Where everything of a run lives (docs/reference-compatibility.md#run-folder). */
export function runDir(logDir: string, runName: string): string {
  return join(logDir, runName)
}

/** `<run>/<setting>/<repo>/<task>/f<a>_f<b>`: a run folder holds a sub-folder per setting (docs/reference-compatibility.md#run-folder). */
export function pairDir(logDir: string, runName: string, setting: string, repo: string, taskId: number, features: readonly number[]): string {
  return join(logDir, runName, setting, repo, String(taskId), pairFolderName(features))
}

export const RunFiles = {
  config: 'config.json',
  summary: 'summary.json',
  evalSummary: 'eval_summary.json',
  /** The run re-scored under a policy other than its own (`eval --policy`): beside eval_summary.json, never instead of it. */
  evalSummaryUnder: (policy: string) => `eval_summary.${policy}.json`,
  /** Coordination signals and failure categories of a coop run, written by `cooperbench analyze`. */
  analysis: 'analysis.json',
  /** Held by the run working in the folder (pid, host, start time); removed when it ends. */
  lock: 'run.lock',
} as const

export const PairFiles = {
  result: 'result.json',
  eval: 'eval.json',
  /** The verdict under a policy other than the run's own (`eval --policy`), beside eval.json. */
  evalUnder: (policy: string) => `eval.${policy}.json`,
  conversation: 'conversation.json',
} as const
