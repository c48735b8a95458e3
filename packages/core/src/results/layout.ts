import { join } from 'node:path'
import type { Setting } from '@cooperbench/spec'
import { pairFolderName } from '@cooperbench/spec-utils'

/** The settings of a run folder, each a sub-folder of it (docs/reference-compatibility.md#run-folder), in the order readers list them. */
export const SETTINGS: readonly Setting[] = ['coop', 'solo', 'team']

/** Where everything of a run lives (docs/reference-compatibility.md#run-folder). */
export function runDir(logDir: string, runName: string): string {
  return join(logDir, runName)
}

export function pairDir(logDir: string, runName: string, setting: Setting, repo: string, taskId: number, features: readonly number[]): string {
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
  soloPatch: 'solo.patch',
  soloTrajectory: 'solo_traj.json',
  /** The working-tree diff, kept beside an agent-submitted patch (not evaluated). */
  soloWorktreePatch: 'solo.worktree.patch',
  /** Coop files are named by feature id, not agent index. */
  agentPatch: (featureId: number) => `agent${featureId}.patch`,
  agentTrajectory: (featureId: number) => `agent${featureId}_traj.json`,
  agentWorktreePatch: (featureId: number) => `agent${featureId}.worktree.patch`,
  /** Team: the task list's audit log, oldest event first (with the task list on). */
  taskLog: 'task_log.json',
  /** Team: the tasks as the run left them, in id order (with the task list on). */
  tasks: 'tasks.json',
  /** Team: the scratchpad's files at the end, the task mirror in `tasks/` included (with the scratchpad on). */
  scratchpad: 'scratchpad',
} as const
