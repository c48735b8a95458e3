import { SANDBOX_LABELS, type SandboxSpec, type Sandbox, type Task, type Logger, type ResultsSink, errorMessage } from '@cooperbench/spec'
import { lifetimeOf, resolveAllServices, resolveService, type Scope } from '../plugin/container.js'
import { Tokens } from '../plugin/tokens.js'
import { HARNESS_DEADLINES } from './deadlines.js'
import type { DeadlineClock } from '../util/supervise.js'
import { imageName } from '@cooperbench/spec-utils/images'
import { runDir } from '../results/layout.js'
import { supervisedSandbox } from './supervised-sandbox.js'

/**
 * Creates a sandbox of the scope's backend, owned by `scope`: when the scope is disposed (agent
 * or pair end, Ctrl+C, a thrown error) the sandbox is terminated, whoever forgot to. The image
 * and the run label come from the scope's `EvalPlan`; an agent's sandbox also names its team
 * and the team's shared directories (`--git`).
 */
export async function createOwnedSandbox(
  scope: Scope,
  task: Task,
  role: string,
  labels: Record<string, string>,
  signal?: AbortSignal,
  more: { sharedDirs?: SandboxSpec['sharedDirs']; team?: SandboxSpec['team']; clock?: DeadlineClock } = {},
): Promise<Sandbox> {
  const { sharedDirs = [], team, clock } = more
  const plan = resolveService(scope, Tokens.EvalPlan)
  const backend = resolveService(scope, Tokens.Backend)
  // Taken before the await: if the scope is disposed while the backend is still creating the
  // sandbox, the lifetime terminates it as soon as it arrives instead of losing it.
  const lifetime = lifetimeOf(scope)
  const sandbox = await backend.createSandbox(
    {
      task,
      image: imageName(plan.imageTemplate, plan.imageNamespace, task.repo, task.taskId),
      role,
      labels: { [SANDBOX_LABELS.run]: plan.runName, [SANDBOX_LABELS.role]: role, ...labels },
      hiddenHostPaths: plan.logDir ? [plan.logDir] : [],
      sharedDirs,
      ...(team ? { team } : {}),
      ...(plan.logDir ? { runDir: runDir(plan.logDir, plan.runName) } : {}),
      ...(clock ? { waitingForPlace: () => clock.pause() } : {}),
      ...(plan.imageLayer ? { layer: plan.imageLayer } : {}),
    },
    signal,
  )
  return lifetime.ownSandbox(supervisedSandbox(sandbox, backend.name, HARNESS_DEADLINES.graceMs))
}

/**
 * Tells every results sink of the scope about a written file. A sink that throws is reported as
 * a warning: the file is already on disk and the run goes on.
 */
export async function notifySinks<E>(scope: Scope, call: (sink: ResultsSink) => ((event: E) => void | Promise<void>) | undefined, event: E): Promise<void> {
  const sinks = resolveAllServices(scope, Tokens.ResultsSink)
  if (sinks.length === 0) return
  const logger: Logger = scope.resolve(Tokens.Logger)
  for (const sink of sinks) {
    const method = call(sink)
    if (!method) continue
    try {
      await method.call(sink, event)
    } catch (error) {
      logger.warn(`results sink ${sink.name}: ${errorMessage(error)}`)
    }
  }
}
