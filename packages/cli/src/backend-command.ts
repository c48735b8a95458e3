import { type Backend, CooperbenchError, Tokens } from '@cooperbench/core'
import { lifetimeOf, openScope, resolveService, type Scope } from '@cooperbench/core/plugins'
import type { CommandServices } from './context.js'

/**
 * The backend for a maintenance command (images, sandboxes), created in a run scope of its own
 * (plugins' run services apply, and may replace it) and closed with it. Refuses clearly when the
 * backend lacks the optional capability asked for.
 */
export async function maintenanceBackend<K extends keyof Backend>(
  services: CommandServices,
  name: string,
  options: Record<string, unknown>,
  capability: K,
  what: string,
): Promise<{ backend: Backend & Required<Pick<Backend, K>>; scope: Scope }> {
  const scope = await openScope(services.scope, 'run', async (scope) => {
    const created = await services.registry.create('backend', name, { options, logger: services.logger })
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
  return { backend: backend as Backend & Required<Pick<Backend, K>>, scope }
}
