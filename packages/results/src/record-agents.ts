import type { AgentSummaryRecord, ResultRecord } from '@cooperbench/spec'
import { isObject } from '@cooperbench/spec-utils'

/**
 * Every agent a result.json records, by id: its `agents`, or the lone agent of `agent` (as solo
 * writes it), named by the record's setting as that setting names its agent.
 */
export function recordAgents(result: Pick<ResultRecord, 'setting' | 'agents' | 'agent'>): Array<[string, AgentSummaryRecord]> {
  if (isObject(result.agents)) return Object.entries(result.agents)
  return isObject(result.agent) ? [[String(result.setting), result.agent]] : []
}
