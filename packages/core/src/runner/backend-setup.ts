import type { Backend, SandboxSpec } from '@cooperbench/spec'
import type { Logger } from '@cooperbench/spec'
import type { Task } from '@cooperbench/spec'
import { CooperbenchError } from '@cooperbench/spec'
import { preflightWithinBound } from './deadlines.js'
import { lifetimeOf, type Scope } from '../plugin/container.js'
import type { PluginRegistry } from '../plugin/registry.js'

/** Creates the backend in `scope` (closed with it) and runs its preflight. */
export async function createBackend(
  registry: PluginRegistry,
  scope: Scope,
  name: string,
  options: Record<string, unknown>,
  logger: Logger,
  signal: AbortSignal,
): Promise<Backend> {
  const backend = await registry.create('backend', name, { options, logger })
  if (backend.close) lifetimeOf(scope).own(`backend ${name}`, () => backend.close!())
  await preflightWithinBound(`backend ${name}`, () => backend.preflight(), signal)
  return backend
}

/**
 * Refuses, before any agent starts, the tasks this backend cannot run, so that a missing
 * host tool never shows up as a failed test.
 */
export async function ensureTasksSupported(backend: Backend, tasks: Task[], needs: { layer?: SandboxSpec['layer'] } = {}): Promise<void> {
  const refused: Array<{ task: Task; reason: string; hint: string }> = []
  for (const task of tasks) {
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
