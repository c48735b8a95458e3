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
 * When every agent of a finished pair ended with `Error` (each threw, or failed for the
 * infrastructure), the pair did not complete: what to say about it, naming each agent's error;
 * null when at least one agent submitted or reached a limit. Such a pair is shown as failed,
 * counted as failed in summary.json, and run again by the next invocation.
 */
export function everyAgentFailed(result: ResultRecord): string | null {
  const entries = recordAgents(result)
  if (entries.length === 0 || entries.some(([, agent]) => agent.status !== 'Error')) return null
  const errors = entries.map(([id, agent]) => `${id}: ${agent.error ?? 'no error message'}`)
  return `${entries.length === 1 ? 'the agent' : 'every agent'} ended in Error (${errors.join('; ')})`
}
