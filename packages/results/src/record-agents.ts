import type { AgentSummaryRecord, ResultRecord } from '@cooperbench/spec'
import { isObject } from '@cooperbench/spec-utils'

/** Every agent a result.json records, by id: its `agents`, or solo's lone `agent`, named as its setting names it. */
export function recordAgents(result: Pick<ResultRecord, 'setting' | 'agents' | 'agent'>): Array<[string, AgentSummaryRecord]> {
  if (isObject(result.agents)) return Object.entries(result.agents)
  return isObject(result.agent) ? [[String(result.setting), result.agent]] : []
}

/** Whether an agent of the pair called a model without a known price (its record's `cost_unknown`): the pair's cost is unknown. */
export function recordsUnknownCost(result: Pick<ResultRecord, 'setting' | 'agents' | 'agent'>): boolean {
  return recordAgents(result).some(([, agent]) => agent.cost_unknown === true)
}
