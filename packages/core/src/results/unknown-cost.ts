import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PairFiles } from './layout.js'
import type { PairFolder } from './scan-run.js'

/** A trajectory message of a model call without a known price (mini_swe_agent writes `extra.cost_unknown: true`). */
const COST_UNKNOWN = /"cost_unknown"\s*:\s*true/

/**
 * The folders of pairs whose cost is unknown: an agent called a model with no known price, so its
 * recorded cost is 0 without meaning $0. Only agents that took steps and recorded no cost are
 * checked, so runs with prices (and the oracle, whose trajectories are tiny) cost little to read.
 */
export async function pairsWithUnknownCost(pairs: readonly PairFolder[]): Promise<Set<string>> {
  const unknown = new Set<string>()
  for (const pair of pairs) {
    for (const file of suspectTrajectories(pair)) {
      const text = await readFile(join(pair.dir, file), 'utf8').catch(() => '')
      if (COST_UNKNOWN.test(text)) {
        unknown.add(pair.dir)
        break
      }
    }
  }
  return unknown
}

/** Whether an agent's trajectory messages include a model call without a known price (`extra.cost_unknown: true`). */
export function hasUnknownCost(messages: readonly unknown[]): boolean {
  return messages.some((message) => (message as { extra?: { cost_unknown?: unknown } } | null)?.extra?.cost_unknown === true)
}

function suspectTrajectories(pair: PairFolder): string[] {
  const result = pair.result
  if (!result) return []
  if (result.setting === 'solo') return result.agent && result.agent.cost === 0 && result.agent.steps > 0 ? [PairFiles.soloTrajectory] : []
  return Object.values(result.agents ?? {})
    .filter((agent) => agent.cost === 0 && agent.steps > 0)
    .map((agent) => PairFiles.agentTrajectory(agent.feature_id))
}
