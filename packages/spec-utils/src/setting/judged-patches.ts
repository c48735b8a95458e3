import type { JudgedPatch } from '@cooperbench/spec'
import { isObject } from '../is-object.js'

/**
 * The judged `agent<feature id>.patch` of the agent of `featureId` (its pair's `index`th feature), for any setting whose agents own one
 * feature each: result.json records its lines under the agent with that `feature_id` (without feature ids, `agent<index + 1>`).
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
