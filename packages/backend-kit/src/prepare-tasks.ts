import { errorMessage, isCooperbenchError, type PrepareTasksOptions, type Task, type TaskPreparation } from '@cooperbench/spec'
import pMap from 'p-map'

/** What preparing one task's image did, as the backend's `ensure` reports it. */
export interface EnsuredImage {
  action: TaskPreparation['action']
  durationMs: number
}

/**
 * `prepareTasks` of a backend with one image per task, made by `ensure` (`options.concurrency` at once): one entry per task, in
 * order, `failed` with the error (and hint) when `ensure` throws; a cancelled preparation throws. `ensure` may set `target.image`,
 * the image the entry names (an agent's layered image).
 */
export async function prepareTaskImages(
  tasks: Task[],
  options: PrepareTasksOptions,
  imageFor: (task: Task) => string,
  ensure: (task: Task, image: string, target: { image: string }) => Promise<EnsuredImage>,
): Promise<TaskPreparation[]> {
  const reports = new Array<TaskPreparation>(tasks.length)
  const prepare = async (task: Task, index: number) => {
    if (options.signal?.aborted) return
    const image = imageFor(task)
    const target = { image }
    options.onProgress?.({ task, image, phase: 'start' })
    const started = performance.now()
    const entry = (action: TaskPreparation['action'], durationMs: number, error: string | null): TaskPreparation => ({
      repo: task.repo,
      taskId: task.taskId,
      image: target.image,
      action,
      durationMs,
      error,
    })
    let preparation: TaskPreparation
    try {
      const ensured = await ensure(task, image, target)
      preparation = entry(ensured.action, ensured.durationMs, null)
    } catch (error) {
      // A cancelled preparation is the caller's doing, not a task's failure.
      if (options.signal?.aborted) throw error
      const hint = isCooperbenchError(error) ? error.hint : undefined
      preparation = entry('failed', Math.round(performance.now() - started), hint ? `${errorMessage(error)} (${hint})` : errorMessage(error))
    }
    reports[index] = preparation
    options.onProgress?.({ task, image, phase: 'done', preparation })
  }
  await pMap(tasks, prepare, { concurrency: Math.max(1, options.concurrency) })
  options.signal?.throwIfAborted()
  return reports
}
