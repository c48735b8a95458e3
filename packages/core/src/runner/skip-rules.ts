import type { ResultRecord } from '@cooperbench/spec'

/**
 * Whether a finished pair may be reused (docs/reference-compatibility.md#running): it has a result.json and no
 * agent ended with `Error` (an infrastructure failure is worth a rerun; a limit is final).
 */
export function isReusableResult(result: ResultRecord | null): result is ResultRecord {
  if (!result) return false
  if (result.setting === 'solo') return result.agent?.status !== 'Error'
  return Object.values(result.agents ?? {}).every((agent) => agent.status !== 'Error')
}
