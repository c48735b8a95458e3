import { type Backend, CooperbenchError, Tokens } from '@cooperbench/core'
import { lifetimeOf, openScope, resolveService } from '@cooperbench/core/plugins'
import type { ResolvedConfig } from '@cooperbench/config'
import type { Host } from './api/host.js'
import { backendOptionsFor } from '@cooperbench/core/runner'

/** Runs `use` (images, sandboxes) with backend `name`, which needs `capability`, in its own run scope (run services may replace it) closed after. */
export async function withMaintenanceBackend<K extends keyof Backend, T>(
  services: Host,
  config: ResolvedConfig,
  name: string,
  capability: K,
  what: string,
  use: (backend: Backend & Required<Pick<Backend, K>>) => Promise<T>,
): Promise<T> {
  const options = backendOptionsFor(config, name)
  const scope = await openScope(services.scope, 'run', async (scope) => {
    const created = await services.registry.create('backend', name, { options, logger: services.logger, images: config.image })
    if (created.close) lifetimeOf(scope).own(`backend ${name}`, () => created.close!())
    return [[Tokens.Backend, created]]
  })
  const backend = resolveService(scope, Tokens.Backend)
  if (typeof backend[capability] !== 'function') {
    await scope.dispose()
    throw new CooperbenchError('USAGE', `backend "${name}" has no ${what}`, {
      hint: `Choose a backend that has them with --backend (e.g. docker).`,
    })
  }
  await backend.preflight()
  try {
    return await use(backend as Backend & Required<Pick<Backend, K>>)
  } finally {
    await scope.dispose()
  }
}
