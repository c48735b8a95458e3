import { join } from 'node:path'
import type { TrajectoryRecord } from '@cooperbench/spec'
import { readJsonChecked, readTextChecked } from './read-json.js'

/**
 * A running trajectory grows as JSON Lines beside its file (`agent1_traj.json` → `.jsonl`): header, then a line per message. A finished
 * run writes the file and removes the journal; a killed run leaves it, and readers take it instead.
 */
export function trajectoryJournalName(trajectoryFile: string): string {
  return trajectoryFile.replace(/\.json$/, '') + '.jsonl'
}

/** Marks a journal's header line; its value is the journal format's version. */
export const JOURNAL_MARKER = 'cooperbench_trajectory_journal'

export type TrajectoryHeader = Omit<TrajectoryRecord, 'messages' | 'status' | 'cost' | 'steps'>

/** The journal's text for a header and messages (each line ends with a newline). */
export function journalLines(messages: readonly unknown[], header?: TrajectoryHeader): string {
  let text = header === undefined ? '' : `${JSON.stringify({ [JOURNAL_MARKER]: 1, ...header })}\n`
  for (const message of messages) text += `${JSON.stringify(message)}\n`
  return text
}

/** The journal's trajectory: status null (never finished), cost and steps 0; a last line without newline (a cut append) is left out. */
export function parseTrajectoryJournal(text: string): { value: TrajectoryRecord | null; problem: string | null } {
  const lines = text.split('\n')
  // The text after the last newline: empty for a whole journal, a torn append otherwise.
  lines.pop()
  if (lines.length === 0) return { value: null, problem: 'is empty' }
  const parsed: unknown[] = []
  for (const [index, line] of lines.entries()) {
    try {
      parsed.push(JSON.parse(line))
    } catch {
      return { value: null, problem: `has a line that is not JSON (line ${index + 1})` }
    }
  }
  const [header, ...messages] = parsed as [Record<string, unknown>, ...unknown[]]
  if (typeof header !== 'object' || header === null || header[JOURNAL_MARKER] !== 1) return { value: null, problem: 'does not start with a journal header' }
  const { [JOURNAL_MARKER]: _version, ...fields } = header
  return { value: { ...(fields as TrajectoryHeader), status: null, cost: 0, steps: 0, messages }, problem: null }
}

/** An agent's trajectory from its pair folder: the file when finished, else a running or killed run's journal; neither: null, no problem. */
export async function readTrajectory(pairDir: string, trajectoryFile: string): Promise<{ value: TrajectoryRecord | null; problem: string | null }> {
  const finished = await readJsonChecked<TrajectoryRecord>(join(pairDir, trajectoryFile))
  if (finished.value !== null || finished.problem !== null) return finished
  const journalFile = trajectoryJournalName(trajectoryFile)
  const { text, problem } = await readTextChecked(join(pairDir, journalFile))
  const journal = text === null ? { value: null, problem } : parseTrajectoryJournal(text)
  return journal.problem === null ? journal : { value: null, problem: `(journal ${journalFile}) ${journal.problem}` }
}
