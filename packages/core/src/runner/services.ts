import { SANDBOX_LABELS, type SandboxSpec, type Sandbox, type Task, type Logger, type ResultsSink, errorMessage } from '@cooperbench/spec'
import type { Scope } from '../plugin/container.js'
import { allOf, type Resolved, resolveDependencies } from '../plugin/provide.js'
import { Tokens } from '../plugin/tokens.js'
import { HARNESS_DEADLINES } from './deadlines.js'
import type { DeadlineClock } from '../util/supervise.js'
import { imageName } from '@cooperbench/spec-utils/images'
import { runDir } from '@cooperbench/results'
import { supervisedSandbox } from './supervised-sandbox.js'

/**
 * What an owned sandbox may add to its spec: shared directories, the seats made with it, the clock it
 * pauses while queued.
 */
export interface OwnedSandboxOptions {
  sharedDirs?: SandboxSpec['sharedDirs']
  group?: SandboxSpec['group']
  clock?: DeadlineClock
  /** The seat's agent's set-up, as a layer a backend that builds images may start the sandbox from (`SandboxSpec.setupLayer`). */
  setupLayer?: SandboxSpec['setupLayer'] | null
}

/** Creates sandboxes of a scope's backend, each owned by that scope. */
export interface OwnedSandboxes {
  create(task: Task, role: string, labels: Record<string, string>, signal?: AbortSignal, more?: OwnedSandboxOptions): Promise<Sandbox>
}

/** What {@link ownedSandboxes} is made of. */
export const OWNED_SANDBOX_DEPS = { plan: Tokens.EvalPlan, backend: Tokens.Backend, lifetime: Tokens.Lifetime }

/**
 * Sandboxes terminated when `lifetime`'s scope is disposed (agent or pair end, Ctrl+C, an error), whoever forgot to. Image and run
 * label come from `plan`; an agent's also names the seats made with it and its shared dirs.
 */
export function ownedSandboxes({ plan, backend, lifetime }: Resolved<typeof OWNED_SANDBOX_DEPS>): OwnedSandboxes {
  return {
    async create(task, role, labels, signal, { sharedDirs = [], group, clock, setupLayer } = {}) {
      // The lifetime is the scope's from before the await: a sandbox arriving after its scope is disposed is terminated.
      const sandbox = await backend.createSandbox(
        {
          task,
          image: imageName(plan.imageTemplate, plan.imageNamespace, task.repo, task.taskId),
          role,
          labels: { [SANDBOX_LABELS.run]: plan.runName, [SANDBOX_LABELS.role]: role, ...labels },
          hiddenHostPaths: plan.logDir ? [plan.logDir] : [],
          sharedDirs,
          ...(group ? { group } : {}),
          ...(plan.logDir ? { runDir: runDir(plan.logDir, plan.runName) } : {}),
          ...(clock ? { waitingForPlace: () => clock.pause() } : {}),
          ...(plan.imageLayer ? { layer: plan.imageLayer } : {}),
          ...(setupLayer ? { setupLayer } : {}),
        },
        signal,
      )
      return lifetime.ownSandbox(supervisedSandbox(sandbox, backend.name, HARNESS_DEADLINES.graceMs))
    },
  }
}

/** A sandbox owned by `scope`, for a command with a run scope of its own (the dataset commands'; the runner's have `RunnerTokens.Sandboxes`). */
export function createOwnedSandbox(scope: Scope, ...args: Parameters<OwnedSandboxes['create']>): Promise<Sandbox> {
  return ownedSandboxes(resolveDependencies(scope, OWNED_SANDBOX_DEPS)).create(...args)
}

/** Tells the results sinks of one scope about a written file. */
export interface ScopeSinks {
  notify<E>(call: (sink: ResultsSink) => ((event: E) => void | Promise<void>) | undefined, event: E): Promise<void>
}

/** What {@link scopeSinks} is made of: every results sink of the nearest scope that has one. */
export const SCOPE_SINKS_DEPS = { sinks: allOf(Tokens.ResultsSink), logger: Tokens.Logger }

/** `sinks`, each told in turn; a sink that throws is a warning: the file is already on disk and the run goes on. */
export function scopeSinks({ sinks, logger }: { sinks: ResultsSink[]; logger: Logger }): ScopeSinks {
  return {
    async notify(call, event) {
      for (const sink of sinks) {
        const method = call(sink)
        if (!method) continue
        try {
          await method.call(sink, event)
        } catch (error) {
          logger.warn(`results sink ${sink.name}: ${errorMessage(error)}`)
        }
      }
    },
  }
}
