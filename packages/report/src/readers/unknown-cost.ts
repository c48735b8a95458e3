import { recordedSeats } from '@cooperbench/spec-utils/setting'
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import { type PairFolder, recordAgents, recordsUnknownCost, trajectoryJournalName } from '@cooperbench/results'

/** A trajectory message of a model call without a known price (mini-SWE and swe_agent mark each: `extra.cost_unknown: true`). */
const KEY = Buffer.from('"cost_unknown"')
const AFTER_KEY = /^\s*:\s*true/
/** Bytes after the key that may hold `: true` (JSON whitespace included). */
const OVERLAP = 32
const CHUNK = 16 * 1024
const READERS = 16

/** `pairsWithUnknownCost`'s findings per finished pair, for the next call (a polling viewer): a finished pair's trajectories never change. */
export type UnknownCostMemo = Map<string, boolean>

/**
 * Pairs whose cost is unknown: an agent's record says `cost_unknown` (a model call without a known price). Records written before
 * that key existed said cost 0 instead: for those, the trajectories of agents with steps and no cost are searched for an unpriced
 * call, each read up to the first.
 */
export async function pairsWithUnknownCost(pairs: readonly PairFolder[], memo?: UnknownCostMemo): Promise<Set<string>> {
  const unknown = new Set<string>()
  const queue = [...pairs]
  // A few readers at a time, each with its own buffer: thousands of trajectories in parallel would allocate (and collect) one each.
  const reader = async () => {
    const buffer = Buffer.allocUnsafe(CHUNK)
    for (let pair = queue.shift(); pair; pair = queue.shift()) {
      const key = `${pair.dir}\0${pair.result?.started_at ?? ''}`
      let found = pair.result !== null && recordsUnknownCost(pair.result) ? true : memo?.get(key)
      if (found === undefined) {
        found = false
        for (const file of suspectTrajectories(pair)) {
          // The journal when the agent never finished (a killed run).
          found =
            (await mentionsUnknownCost(join(pair.dir, file), buffer)) ??
            (await mentionsUnknownCost(join(pair.dir, trajectoryJournalName(file)), buffer)) ??
            false
          if (found) break
        }
        if (pair.result) memo?.set(key, found)
      }
      if (found) unknown.add(pair.dir)
    }
  }
  await Promise.all(Array.from({ length: READERS }, reader))
  return unknown
}

/** Whether the file has an unpriced call (`"cost_unknown": true`), searched as bytes per chunk in `buffer`, stopping at the first; null if unreadable. */
async function mentionsUnknownCost(path: string, buffer: Buffer): Promise<boolean | null> {
  const file = await open(path, 'r').catch(() => null)
  if (file === null) return null
  try {
    // Bytes carried over from the previous chunk, so that a mention cut by a chunk boundary is still found.
    let carried = 0
    for (;;) {
      const { bytesRead } = await file.read(buffer, carried, buffer.length - carried, null)
      if (bytesRead === 0) return false
      const end = carried + bytesRead
      for (let at = buffer.indexOf(KEY); at !== -1 && at + KEY.length <= end; at = buffer.indexOf(KEY, at + 1)) {
        if (at + KEY.length + OVERLAP > end && bytesRead === buffer.length - carried) break
        if (AFTER_KEY.test(buffer.toString('latin1', at + KEY.length, Math.min(end, at + KEY.length + OVERLAP)))) return true
      }
      carried = Math.min(end, KEY.length + OVERLAP)
      buffer.copy(buffer, 0, end - carried, end)
    }
  } catch {
    return null
  } finally {
    await file.close()
  }
}

function suspectTrajectories(pair: PairFolder) {
  const result = pair.result
  if (!result) return []
  const agents = new Map(recordAgents(result))
  return recordedSeats(result)
    .filter((seat) => {
      const agent = agents.get(seat.agentId)
      return agent !== undefined && agent.cost === 0 && agent.steps > 0
    })
    .map((seat) => seat.trajectory)
}
