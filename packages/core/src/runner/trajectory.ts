import { type FileHandle, open, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { AgentResult, TrajectoryRecorder } from '@cooperbench/spec'
import { journalLines, type TrajectoryHeader, trajectoryJournalName, writeFileAtomic, writeJsonAtomic } from '@cooperbench/results'
import { fileSystemError } from '@cooperbench/results'

export interface HarnessTrajectoryRecorder extends Required<TrajectoryRecorder> {
  /** Writes `agent<fid>_traj.json` / `solo_traj.json` with the result and removes the journal. */
  finish(result: AgentResult): Promise<void>
  /** Closes the journal without finishing (an interrupted run): the journal stays for readers. */
  close(): Promise<void>
}

/**
 * A JSON Lines journal beside the trajectory file (`results/trajectory-journal.ts`): `append` writes only new messages (step 1000 costs
 * as step 1), `save` rewrites atomically; a killed run leaves usable whole lines, `finish` makes the trajectory file.
 */
export function createTrajectoryRecorder(path: string, header: TrajectoryHeader): HarnessTrajectoryRecorder {
  const journal = journalFile(path, join(dirname(path), trajectoryJournalName(basename(path))))
  // The messages so far (references: a thousand agents must not hold their trajectories twice).
  let recorded: unknown[] = []
  let writing: Promise<void> = Promise.resolve()
  // After finish or close, an agent left running (abandoned past its deadline) writes nothing.
  let ended = false
  // A failed write (a full disk) fails its caller, but never the writes after it.
  const enqueue = (job: () => Promise<void>) => (writing = writing.catch(() => {}).then(job))

  return {
    save(messages) {
      if (ended) return Promise.resolve()
      recorded = [...messages]
      const text = journalLines(recorded, header)
      return enqueue(() => journal.rewrite(text))
    },
    append(messages) {
      if (ended) return Promise.resolve()
      const before = recorded.length
      for (const message of messages) recorded.push(message)
      // Serialised now: later changes to the objects are not this step's record.
      const text = journalLines(messages)
      // A rewrite (the first write, or after a failed one) serialises the earlier messages again.
      return enqueue(() => (journal.rewriteNeeded ? journal.rewrite(journalLines(recorded.slice(0, before), header) + text) : journal.append(text)))
    },
    finish(result) {
      ended = true
      const messages = result.messages.length > 0 ? result.messages : recorded
      return enqueue(async () => {
        await journal.close()
        await writeJsonAtomic(path, {
          ...header,
          status: result.status,
          cost: result.cost,
          ...(result.costUnknown ? { cost_unknown: true } : {}),
          steps: result.steps,
          messages,
        })
        await rm(journal.path, { force: true })
      })
    },
    close() {
      ended = true
      return enqueue(journal.close)
    },
  }
}

/** The journal of `trajectoryPath`: appended through one handle while whole on disk, rewritten atomically before the first write and after a failed one. */
function journalFile(trajectoryPath: string, path: string) {
  let handle: FileHandle | null = null
  // The journal on disk lacks something (never written, a failed write): the next write is whole.
  let rewriteNeeded = true
  const close = async () => {
    const open = handle
    handle = null
    await open?.close().catch(() => {})
  }
  return {
    path,
    get rewriteNeeded() {
      return rewriteNeeded
    },
    close,
    async rewrite(text: string) {
      await close()
      // A trajectory file of an earlier attempt would hide this run's journal from readers.
      await rm(trajectoryPath, { force: true })
      await writeFileAtomic(path, text)
      rewriteNeeded = false
    },
    async append(text: string) {
      try {
        handle ??= await open(path, 'a')
        await handle.write(text)
      } catch (error) {
        rewriteNeeded = true
        await close()
        throw fileSystemError(error, 'write', path)
      }
    },
  }
}
