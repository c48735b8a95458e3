import { type FileHandle, open, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { AgentResult, TrajectoryRecorder } from '@cooperbench/spec'
import { journalLines, type TrajectoryHeader, trajectoryJournalName } from '../results/trajectory-journal.js'
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic-write.js'
import { fileSystemError } from '../util/fs-errors.js'

export interface HarnessTrajectoryRecorder extends Required<TrajectoryRecorder> {
  /** Writes `agent<fid>_traj.json` / `solo_traj.json` with the result and removes the journal. */
  finish(result: AgentResult): Promise<void>
  /** Closes the journal without finishing (an interrupted run): the journal stays for readers. */
  close(): Promise<void>
}

/**
 * Records an agent's trajectory in the JSON Lines journal beside its trajectory file
 * (`results/trajectory-journal.ts`): `append` writes only the new messages, so a step costs the
 * same at step 1000 as at step 1; `save` rewrites the journal atomically. A killed run leaves a
 * journal whose every whole line is usable; `finish` turns it into the trajectory file.
 */
export function createTrajectoryRecorder(path: string, header: TrajectoryHeader): HarnessTrajectoryRecorder {
  const journal = join(dirname(path), trajectoryJournalName(basename(path)))
  // The messages so far (references: a thousand agents must not hold their trajectories twice).
  let recorded: unknown[] = []
  let handle: FileHandle | null = null
  // The journal on disk lacks something (never written, a failed write): the next write is whole.
  let rewriteNeeded = true
  let writing: Promise<void> = Promise.resolve()
  // After finish or close, an agent left running (abandoned past its deadline) writes nothing.
  let ended = false
  // A failed write (a full disk) fails its caller, but never the writes after it.
  const enqueue = (job: () => Promise<void>) => (writing = writing.catch(() => {}).then(job))

  const closeHandle = async () => {
    const open = handle
    handle = null
    await open?.close().catch(() => {})
  }
  const rewrite = async (text: string) => {
    await closeHandle()
    // A trajectory file of an earlier attempt would hide this run's journal from readers.
    await rm(path, { force: true })
    await writeFileAtomic(journal, text)
    rewriteNeeded = false
  }
  const appendText = async (text: string) => {
    try {
      handle ??= await open(journal, 'a')
      await handle.write(text)
    } catch (error) {
      rewriteNeeded = true
      await closeHandle()
      throw fileSystemError(error, 'write', journal)
    }
  }

  return {
    save(messages) {
      if (ended) return Promise.resolve()
      recorded = [...messages]
      const text = journalLines(recorded, header)
      return enqueue(() => rewrite(text))
    },
    append(messages) {
      if (ended) return Promise.resolve()
      const before = recorded.length
      for (const message of messages) recorded.push(message)
      // Serialised now: later changes to the objects are not this step's record.
      const text = journalLines(messages)
      // A rewrite (the first write, or after a failed one) serialises the earlier messages again.
      return enqueue(() => (rewriteNeeded ? rewrite(journalLines(recorded.slice(0, before), header) + text) : appendText(text)))
    },
    finish(result) {
      ended = true
      const messages = result.messages.length > 0 ? result.messages : recorded
      return enqueue(async () => {
        await closeHandle()
        await writeJsonAtomic(path, { ...header, status: result.status, cost: result.cost, steps: result.steps, messages })
        await rm(journal, { force: true })
      })
    },
    close() {
      ended = true
      return enqueue(closeHandle)
    },
  }
}
