import type { ResultRecord } from '@cooperbench/spec'
import { recordAgents } from '@cooperbench/results'

/** docs/reference-compatibility.md#running: a result.json where no agent ended with `Error` (an infrastructure failure earns a rerun; a limit is final). */
export function isReusableResult(result: ResultRecord | null): result is ResultRecord {
  if (!result) return false
  return recordAgents(result).every(([, agent]) => agent?.status !== 'Error')
}

/** Naming each error, for a pair whose every agent ended with `Error` (counted failed, rerun next time); null when one submitted or hit a limit. */
export function everyAgentFailed(result: ResultRecord): string | null {
  const entries = recordAgents(result)
  if (entries.length === 0 || entries.some(([, agent]) => agent.status !== 'Error')) return null
  const errors = entries.map(([id, agent]) => `${id}: ${agent.error ?? 'no error message'}`)
  return `${entries.length === 1 ? 'the agent' : 'every agent'} ended in Error (${errors.join('; ')})`
}
