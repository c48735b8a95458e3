import { type PairFolder, recordAgents, verdictOf } from '@cooperbench/results'
import type { AgentSummaryRecord, ConversationEntry } from '@cooperbench/spec'
import { featureVerdicts } from '@cooperbench/spec-utils/records'
import { recordedSeats } from '@cooperbench/spec-utils/setting'

/** One agent of a finished pair, with what the pair's records say of it: the unit both exports write. */
export interface PairAgent {
  pair: PairFolder
  /** `agent1`, `agent2` … (coop and team), `solo`. */
  agentId: string
  /** Its name in an export: its id, or `agent1.plan` for a seat its setting carried through several phases (one export each). */
  exportId: string
  /** The features it implemented: its own (coop, team), every feature of the pair (solo). */
  features: number[]
  /** Its phase's role for it (`planner`, a team's `lead`), else its setting's, else `solo` for a lone agent and `peer` for one of several. */
  role: string
  trajectoryFile: string
  summary: AgentSummaryRecord
  /** Its features' verdicts (null: not evaluated) and the pair's. */
  verdict: {
    pair: ReturnType<typeof verdictOf>
    features: Array<{ feature_id: number; passed: boolean; tests_passed: number; tests_failed: number }>
    merge: { status: string; strategy: string | null } | null
    error: string | null
  }
}

/** The agents of a pair with a result.json, in the order the result lists them; `roles`: its setting's, for records that name none. */
export function agentsOfPair(pair: PairFolder, roles: Readonly<Record<string, string>> = {}): PairAgent[] {
  const result = pair.result
  if (!result) return []
  const verdicts = pair.eval ? featureVerdicts(pair.eval).filter((v) => v.feature_id !== null) : []
  const verdictFor = (features: number[]): PairAgent['verdict'] => ({
    pair: verdictOf(pair.eval),
    features: verdicts
      .filter((v) => features.includes(v.feature_id!))
      .map((v) => ({ feature_id: v.feature_id!, passed: v.passed, tests_passed: v.tests_passed, tests_failed: v.tests_failed })),
    merge: pair.eval?.merge ? { status: pair.eval.merge.status, strategy: pair.eval.merge.strategy } : null,
    error: pair.eval?.error ?? null,
  })
  const summaries = new Map(recordAgents(result))
  const lone = result.agents === undefined
  const seats = recordedSeats(result)
  return seats.flatMap((seat) => {
    const summary = summaries.get(seat.agentId)
    if (summary === undefined) return []
    const phased = result.phases?.find((p) => p.name === seat.phase)?.seats.find((s) => s.agent_id === seat.agentId)
    const role = phased?.role ?? roles[seat.agentId] ?? (lone ? 'solo' : 'peer')
    const recurs = seats.filter((other) => other.agentId === seat.agentId).length > 1
    const exportId = recurs ? `${seat.agentId}.${seat.phase}` : seat.agentId
    const { featureIds: features, trajectory: trajectoryFile } = seat
    return [{ pair, agentId: seat.agentId, exportId, features, role, trajectoryFile, summary, verdict: verdictFor(features) }]
  })
}

/** Whether every feature the agent implemented passed: the filter a distiller keeps (`--passed-features`). */
export function agentFeaturesPassed(agent: PairAgent): boolean {
  return agent.verdict.features.length === agent.features.length && agent.verdict.features.every((v) => v.passed)
}

/** The messages of the pair's conversation.json this agent sent or was sent. */
export function agentConversation(conversation: readonly ConversationEntry[], agentId: string): ConversationEntry[] {
  return conversation.filter((entry) => entry.from === agentId || entry.to === agentId)
}
