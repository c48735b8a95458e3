import type { JudgedPatch } from '@cooperbench/spec'
import { isObject } from '../is-object.js'

/**
 * The judged patch of the agent that implemented `featureId` (the `index`th feature of its pair):
 * `agent<feature id>.patch`, whose lines result.json records under the agent whose `feature_id` it is
 * (or, in a record without feature ids, under `agent<index + 1>`). Coop's, a team's, any setting's
 * whose agents each own one feature.
 */
export function featureAgentPatch(featureId: number, index: number): JudgedPatch {
  return {
    file: `agent${featureId}.patch`,
    owner: `${agentKeyOf(undefined, featureId, index)} (feature ${featureId})`,
    recordedLines: (result) => {
      const agents = isObject(result['agents']) ? (result['agents'] as Record<string, unknown>) : {}
      return linesOf(agents[agentKeyOf(agents, featureId, index)])
    },
  }
}

/** A lone agent's judged patch (solo's `solo.patch`), whose lines result.json records under `agent`. */
export function loneAgentPatch(file: string, owner: string): JudgedPatch {
  return { file, owner, recordedLines: (result) => linesOf(result['agent']) }
}

/** The key of the agent that implemented `featureId`: by its record's `feature_id`, else by position. */
function agentKeyOf(agents: Record<string, unknown> | undefined, featureId: number, index: number): string {
  const byFeature = Object.entries(agents ?? {}).find(([, record]) => isObject(record) && record['feature_id'] === featureId)
  return byFeature ? byFeature[0] : `agent${index + 1}`
}

function linesOf(record: unknown): number | null {
  const lines = isObject(record) ? record['patch_lines'] : undefined
  return typeof lines === 'number' && Number.isFinite(lines) ? lines : null
}
