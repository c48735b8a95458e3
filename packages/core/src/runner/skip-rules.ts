import type { ResultRecord } from '@cooperbench/spec'
import { recordAgents } from '@cooperbench/results'

/**
 * Whether a finished pair may be reused (docs/reference-compatibility.md#running): it has a result.json and no
 * agent ended with `Error` (an infrastructure failure is worth a rerun; a limit is final).
 */
export function isReusableResult(result: ResultRecord | null): result is ResultRecord {
  if (!result) return false
  return recordAgents(result).every(([, agent]) => agent?.status !== 'Error')
}

/**
 * What to say of a finished pair whose every agent ended with `Error` (naming each error): it did not complete, is shown
 * and counted as failed, and runs again next time. Null when one agent submitted or reached a limit.
 */
export function everyAgentFailed(result: ResultRecord): string | null {
  const entries = recordAgents(result)
  if (entries.length === 0 || entries.some(([, agent]) => agent.status !== 'Error')) return null
  const errors = entries.map(([id, agent]) => `${id}: ${agent.error ?? 'no error message'}`)
  return `${entries.length === 1 ? 'the agent' : 'every agent'} ended in Error (${errors.join('; ')})`
}
