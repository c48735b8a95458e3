import { type FileHandle, open } from 'node:fs/promises'
import { StringDecoder } from 'node:string_decoder'
import { join } from 'node:path'
import { PairFiles } from './layout.js'
import type { PairFolder } from './scan-run.js'
import { trajectoryJournalName } from './trajectory-journal.js'

/** A trajectory message of a model call without a known price (mini_swe_agent writes `extra.cost_unknown: true`). */
const COST_UNKNOWN = /"cost_unknown"\s*:\s*true/
const CHUNK = 64 * 1024
/** Characters of one chunk kept for the next, so that a match cut by a chunk boundary is still found. */
const OVERLAP = 64

/**
 * What `pairsWithUnknownCost` found per finished pair, to be handed back on the next call (a viewer
 * re-reading a run every few seconds): a pair with a result.json never changes its trajectories.
 */
export type UnknownCostMemo = Map<string, boolean>

/**
 * The folders of pairs whose cost is unknown: an agent called a model with no known price, so its
 * recorded cost is 0 without meaning $0. Only agents that took steps and recorded no cost are
 * checked, so runs with prices (and the oracle, whose trajectories are tiny) cost little to read;
 * a trajectory is read only up to the first unpriced call (for an unpriced model, its first one).
 */
export async function pairsWithUnknownCost(pairs: readonly PairFolder[], memo?: UnknownCostMemo): Promise<Set<string>> {
  const flags = await Promise.all(
    pairs.map(async (pair) => {
      const key = `${pair.dir}\0${pair.result?.started_at ?? ''}`
      const known = memo?.get(key)
      if (known !== undefined) return known
      let unknown = false
      for (const file of suspectTrajectories(pair)) {
        // The journal when the agent never finished (a killed run).
        unknown = (await fileMatches(join(pair.dir, file), COST_UNKNOWN)) ?? (await fileMatches(join(pair.dir, trajectoryJournalName(file)), COST_UNKNOWN)) ?? false
        if (unknown) break
      }
      memo?.set(key, unknown)
      return unknown
    }),
  )
  return new Set(pairs.filter((_, i) => flags[i]).map((pair) => pair.dir))
}

/** Whether the file's text matches `pattern` (read in chunks, stopping at the first match); null when it cannot be read. */
async function fileMatches(path: string, pattern: RegExp): Promise<boolean | null> {
  let file: FileHandle
  try {
    file = await open(path, 'r')
  } catch {
    return null
  }
  try {
    const buffer = Buffer.alloc(CHUNK)
    const decoder = new StringDecoder('utf8')
    let carried = ''
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, CHUNK, null)
      if (bytesRead === 0) return false
      const text = carried + decoder.write(buffer.subarray(0, bytesRead))
      if (pattern.test(text)) return true
      carried = text.slice(-OVERLAP)
    }
  } catch {
    return null
  } finally {
    await file.close()
  }
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
