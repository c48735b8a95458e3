import { Tokens, type Task } from '@cooperbench/core'
import type { ResolvedConfig } from '@cooperbench/config'
import { openScope, type Scope } from '@cooperbench/core/plugins'
import { backendOptionsFor, createBackend, ensureTasksSupported } from '@cooperbench/core/runner'
import type { Host } from './api/host.js'

/** A `run`-like scope (dispose it) for `dataset conflicts`/`validate --deep`; run services may replace the backend, which must support every task. */
export function openDatasetScope(
  services: Host,
  config: ResolvedConfig,
  tasks: readonly Task[],
  plan: { runName: string; testTimeoutMs: number },
): Promise<Scope> {
  return openScope(services.scope, 'run', async (scope) => {
    const backend = await createBackend(
      services.registry,
      scope,
      config.backend,
      backendOptionsFor(config),
      services.logger,
      new AbortController().signal,
      config.image,
    )
    await ensureTasksSupported(backend, tasks)
    const evalPlan = {
      runName: plan.runName,
      logDir: '',
      imageTemplate: config.image.template,
      imageNamespace: config.image.namespace,
      testTimeoutMs: plan.testTimeoutMs,
    }
    return [
      [Tokens.Backend, backend],
      [Tokens.EvalPlan, evalPlan],
    ]
  })
}
