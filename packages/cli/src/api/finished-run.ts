import { join } from 'node:path'
import { CooperbenchError } from '@cooperbench/core'
import { readJsonIfPresent, readRunLock, RunFiles, runDir, scanRun } from '@cooperbench/results'

/**
 * Refuses a run that is not finished, as `run` and `eval` know one: still running (its `run.lock` held by a live process, or by
 * one on another machine), or stopped before it finished (a lock left by a process that is gone, summary.json saying
 * interrupted, a pair folder without result.json). What it would pack is not what the run will have.
 */
export async function requireFinishedRun(logDir: string, run: string): Promise<void> {
  const folder = runDir(logDir, run)
  const lock = await readRunLock(folder)
  const holder = lock?.holder ? ` (pid ${lock.holder.pid} on ${lock.holder.host}, started ${lock.holder.started_at})` : ''
  if (lock !== null && lock.alive !== false) {
    throw new CooperbenchError('RUN_IN_USE', `run "${run}" is still running${holder}`, {
      hint:
        lock.alive === null
          ? `Wait for it to end, then bundle it. If it is gone (it ran on another machine), remove ${join(folder, RunFiles.lock)}.`
          : 'Wait for it to end, then bundle it.',
    })
  }
  const summary = await readJsonIfPresent<{ interrupted?: unknown }>(join(folder, RunFiles.summary)).catch(() => null)
  const unfinished = (await scanRun(folder)).filter((pair) => pair.result === null && pair.unreadable.length === 0).length
  const why =
    lock !== null
      ? `the process that held it${holder} stopped before it finished`
      : summary?.interrupted === true
        ? 'it was interrupted'
        : unfinished > 0
          ? `${unfinished} pair(s) have no result.json`
          : null
  if (why !== null) {
    throw new CooperbenchError('RUN_UNFINISHED', `run "${run}" is unfinished: ${why}`, {
      hint: `Finish it first (the same \`cooperbench run -n ${run} …\` goes on where it stopped), then bundle it.`,
    })
  }
}
