import { type Backend, type SandboxSpec, type Logger, type Task, CooperbenchError, errorMessage } from '@cooperbench/spec'
import { preflightWithinBound } from './deadlines.js'
import { lifetimeOf, type Scope } from '../plugin/container.js'
import type { PluginRegistry } from '../plugin/registry.js'

/** Creates the backend in `scope` (closed with it), with the run's image naming, and runs its preflight. */
export async function createBackend(
  registry: PluginRegistry,
  scope: Scope,
  name: string,
  options: Record<string, unknown>,
  logger: Logger,
  signal: AbortSignal,
  images?: { template: string; namespace: string },
): Promise<Backend> {
  const backend = await registry.create('backend', name, { options, logger, ...(images ? { images } : {}) })
  if (backend.close) lifetimeOf(scope).own(`backend ${name}`, () => backend.close!())
  await preflightWithinBound(`backend ${name}`, () => backend.preflight(), signal)
  return backend
}

/** Removes the run's sandboxes that a dead process left (kill -9, a crash, a second Ctrl+C) before `run` or `eval` goes on with it. */
export async function reapLeftovers(backend: Backend, runName: string, logger: Logger): Promise<void> {
  const reaped = backend.reap
    ? await backend.reap({ runName }).catch((error: unknown) => (logger.warn(`could not remove leftover sandboxes: ${errorMessage(error)}`), 0))
    : 0
  if (reaped > 0) logger.info(`removed ${reaped} leftover sandbox(es) of run ${runName} whose process is gone`)
}

/** The tasks once each (by folder), in first-seen order. */
export function uniqueTasks(tasks: readonly Task[]): Task[] {
  return [...new Map(tasks.map((t) => [t.dir, t])).values()]
}

/** Refuses, before any agent starts, the tasks this backend cannot run (each once): a missing host tool is never a failed test. */
export async function ensureTasksSupported(backend: Backend, tasks: readonly Task[], needs: { layer?: SandboxSpec['layer'] } = {}): Promise<void> {
  const refused: Array<{ task: Task; reason: string; hint: string }> = []
  for (const task of uniqueTasks(tasks)) {
    const support = await backend.supportsTask(task, needs)
    if (!support.ok) refused.push({ task, reason: support.reason, hint: support.hint })
  }
  if (refused.length === 0) return
  const first = refused[0]!
  throw new CooperbenchError(
    'TASK_UNSUPPORTED',
    refused.length === 1
      ? `backend "${backend.name}" cannot run ${first.task.repo}/task${first.task.taskId}: ${first.reason}`
      : `backend "${backend.name}" cannot run ${refused.length} of the selected tasks (first: ${first.task.repo}/task${first.task.taskId}: ${first.reason})`,
    { hint: first.hint, details: refused.map((r) => `${r.task.repo}/task${r.task.taskId}: ${r.reason}`) },
  )
}
