import type { ResultRecord } from '@cooperbench/spec'
import { featureAgentFiles } from './feature-agents.js'

/** One agent of a finished pair, as readers find its files. */
export interface RecordedSeat {
  agentId: string
  featureIds: number[]
  /** Its phase, when the pair's setting names phases. */
  phase?: string
  patch: string
  trajectory: string
}

/**
 * A pair's agents and their files: from `phases` when its setting names them, else upstream's names, `agent<fid>.patch` /
 * `agent<fid>_traj.json` for an agent of one feature, `<id>.patch` / `<id>_traj.json` for a lone agent (solo's `solo.patch`).
 */
export function recordedSeats(result: Pick<ResultRecord, 'setting' | 'features' | 'agents' | 'agent' | 'phases'>): RecordedSeat[] {
  if (Array.isArray(result.phases) && result.phases.length > 0) {
    return result.phases.flatMap((phase) =>
      phase.seats.map((seat) => ({ agentId: seat.agent_id, featureIds: seat.feature_ids, phase: phase.name, patch: seat.patch, trajectory: seat.trajectory })),
    )
  }
  if (result.agents && typeof result.agents === 'object') {
    return Object.entries(result.agents).map(([agentId, agent], index) => {
      const featureId = typeof agent?.feature_id === 'number' ? agent.feature_id : (result.features?.[index] ?? index + 1)
      const files = featureAgentFiles(featureId)
      return { agentId, featureIds: [featureId], patch: files.patch, trajectory: files.trajectory }
    })
  }
  const id = String(result.setting)
  return result.agent ? [{ agentId: id, featureIds: [...(result.features ?? [])], patch: `${id}.patch`, trajectory: `${id}_traj.json` }] : []
}
