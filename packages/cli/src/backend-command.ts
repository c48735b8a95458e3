import { type Backend, CooperbenchError } from '@cooperbench/core'
import { createChildScope, lifetimeOf, type Scope } from '@cooperbench/core/plugins'
import type { CommandServices } from './context.js'

/**
 * The backend for a maintenance command (images, sandboxes), created in its own scope and
 * closed with it. Refuses clearly when the backend lacks the optional capability asked for.
 */
export async function maintenanceBackend<K extends keyof Backend>(
  services: CommandServices,
  name: string,
  options: Record<string, unknown>,
  capability: K,
  what: string,
): Promise<{ backend: Backend & Required<Pick<Backend, K>>; scope: Scope }> {
  const scope = createChildScope(services.scope)
  const backend = await services.registry.create('backend', name, { options, logger: services.logger })
  if (backend.close) lifetimeOf(scope).own(`backend ${name}`, () => backend.close!())
  if (typeof backend[capability] !== 'function') {
    await scope.dispose()
    throw new CooperbenchError('USAGE', `backend "${name}" has no ${what}`, {
      hint: `Choose a backend that has them with --backend (e.g. docker).`,
    })
  }
  await backend.preflight()
  return { backend: backend as Backend & Required<Pick<Backend, K>>, scope }
}
