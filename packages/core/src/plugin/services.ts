import { CooperbenchError, SERVICE_SCOPES, type ServiceRegistration, type ServiceScope } from '@cooperbench/spec'

export { SERVICE_SCOPES, type ServiceContext, type ServiceRegistration, type ServiceScope } from '@cooperbench/spec'

/** Refuses a registration whose shape cannot work, naming the plugin. */
export function checkServiceRegistration(plugin: string, registration: ServiceRegistration): void {
  const r = registration as Partial<ServiceRegistration> | null
  const problem =
    !r || typeof r !== 'object'
      ? 'is not an object'
      : typeof r.token !== 'symbol'
        ? 'has no token (use one of Tokens.*)'
        : !SERVICE_SCOPES.includes(r.scope as ServiceScope)
          ? `has scope ${JSON.stringify(r.scope)}; use one of ${SERVICE_SCOPES.join(', ')}`
          : typeof r.create !== 'function'
            ? 'has no create function'
            : r.deps !== undefined && (typeof r.deps !== 'object' || r.deps === null || Object.values(r.deps).some((dep) => typeof dep !== 'symbol'))
              ? 'has deps that are not tokens (use { name: Tokens.Backend, ... })'
              : null
  if (problem !== null) {
    throw new CooperbenchError('PLUGIN_FAILED', `plugin ${plugin}: a service registration ${problem}`, {
      hint: "Register services as api.service({ token: Tokens.Evaluator, scope: 'pair', create: (ctx) => ... }).",
    })
  }
}
