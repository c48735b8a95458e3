import type { Pair } from '@cooperbench/spec'
import { pairDir, type PairFolder } from '@cooperbench/results'
import { evalInputsDigest, isStaleVerdict, ranWithOtherTaskText, taskTextDigest } from './eval-inputs.js'
import { evaluatorOf } from './evaluate-pair.js'
import type { RunPlan } from './plan.js'
import { isReusableResult } from './skip-rules.js'

/** What an invocation keeps of the run folder: the pairs it runs again, those it evaluates. */
export interface ResumePlan {
  /** A pair's folder. */
  dirOf(pair: Pair): string
  /** The folder's pairs before this invocation, by folder. */
  existing: Map<string, PairFolder>
  /** Folders whose result is kept: their pairs are not run again. */
  reusable: Set<string>
  /** The pair gets a verdict in this invocation. */
  needsEval(pair: Pair): boolean
  /** Agents of the pairs run in this invocation. */
  agentsToRun: number
  /** Folders whose kept verdict was made with other task inputs than the task's now: judged again. */
  stale: Set<string>
  /** Finished folders whose agents were given another task text than the task's now: run again. */
  otherTaskText: Set<string>
}

/** Which pairs a run resumes from `onDiskBefore` (none with `force`) and evaluates (again); another task text's pair runs again. */
export async function planResume(plan: RunPlan, pairs: Pair[], onDiskBefore: PairFolder[], evaluatorName: string): Promise<ResumePlan> {
  const existing = new Map(onDiskBefore.map((p) => [p.dir, p]))
  const dirOf = (pair: Pair) => pairDir(plan.logDir, plan.runName, plan.setting, pair.task.repo, pair.task.taskId, pair.features)
  const reusable = new Set<string>()
  const otherTaskText = new Set<string>()
  for (const pair of plan.force ? [] : pairs) {
    const result = existing.get(dirOf(pair))?.result ?? null
    if (!isReusableResult(result)) continue
    if (ranWithOtherTaskText(result, await taskTextDigest(pair.task, pair.features))) otherTaskText.add(dirOf(pair))
    else reusable.add(dirOf(pair))
  }
  const stale = new Set<string>()
  if (plan.autoEval && !plan.force) {
    for (const pair of pairs) {
      const verdict = existing.get(dirOf(pair))?.eval
      if (reusable.has(dirOf(pair)) && verdict && isStaleVerdict(verdict, await evalInputsDigest(pair.task, pair.features))) stale.add(dirOf(pair))
    }
  }
  const needsEval = (pair: Pair) => {
    if (!plan.autoEval) return false
    const previous = existing.get(dirOf(pair))
    // A verdict of another evaluator, or made with other tests, is not this run's verdict: evaluate again.
    return (
      plan.force ||
      !reusable.has(dirOf(pair)) ||
      !previous?.eval ||
      previous.eval.error !== null ||
      evaluatorOf(previous.eval) !== evaluatorName ||
      stale.has(dirOf(pair))
    )
  }
  const agentsOf = (p: Pair) => plan.settingShape.agents(p.features.length)
  const agentsToRun = pairs.filter((p) => !reusable.has(dirOf(p))).reduce((n, p) => n + agentsOf(p), 0)
  return { dirOf, existing, reusable, needsEval, agentsToRun, stale, otherTaskText }
}
