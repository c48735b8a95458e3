import { userInfo } from 'node:os'
import { type PluginDefinition, packageVersion } from '@cooperbench/core'
import { gcpBackendOptionsSchema } from '@cooperbench/backend-gcp'

export { fakeComputeProblem, startFakeCompute, STANDIN_VM_LABEL, type FakeCompute, type FakeComputeOptions } from './fake-compute.js'
export { STANDIN_BATCH_LABEL, type FakeBatch } from './fake-batch.js'
export type { FakeStorage } from './fake-storage.js'
export type { FakeServiceUsage } from './fake-service-usage.js'
export { DEFAULT_ALLOW_SSH, type FirewallRule, type ProjectPolicies } from './fake-project-policies.js'
export { startGoogleStandin, type GoogleStandin, type GoogleStandinOptions } from './google-standin.js'

/** The bucket the stand-in starts with, which backend `gcp-standin` stages Batch evaluations in. */
export const STANDIN_BUCKET = 'standin-project-cooperbench'

const version = packageVersion(import.meta.url)

/**
 * A plugin contributing backend `gcp-standin`: the real `gcp` backend code and Google's own
 * Compute, Batch and Storage clients, pointed at {@link startGoogleStandin} (REST stand-ins on
 * one local endpoint: Compute's VMs are local sshd hosts in front of this machine's Docker
 * engine, Batch runs its tasks as local containers, Storage keeps objects in a folder), with a
 * static access token. For
 * trying the backend and testing it without a Google account; needs root, sshd and Docker.
 */
export function gcpStandinPlugin(): PluginDefinition {
  return {
    name: '@cooperbench/standins/gcp',
    version,
    coreRange: '^0.1.0',
    register(api) {
      api.backend({
        name: 'gcp-standin',
        specificationVersion: 'backend-v1',
        description: 'the gcp backend over a local stand-in of Compute Engine (VMs are local sshd hosts with Docker; for tests and trials)',
        optionsSchema: gcpBackendOptionsSchema,
        create: async (context) => {
          const [{ startGoogleStandin }, { GcpBackend }, { OAuth2Client }] = await Promise.all([
            import('./google-standin.js'),
            import('@cooperbench/backend-gcp'),
            import('google-auth-library'),
          ])
          const fake = await startGoogleStandin({ buckets: [STANDIN_BUCKET] })
          const auth = new OAuth2Client()
          auth.setCredentials({ access_token: 'standin-token', expiry_date: Date.now() + 24 * 3600_000 })
          const backend = new GcpBackend({
            project: 'standin-project',
            bucket: STANDIN_BUCKET,
            batchPollSeconds: 0.5,
            ...(context.options as object),
            apiEndpoint: fake.endpoint,
            sshPort: fake.sshPort,
            sshUser: userInfo().username,
            logger: context.logger,
            auth,
          })
          const close = backend.close.bind(backend)
          backend.close = async () => {
            try {
              await close()
            } finally {
              await fake.close()
            }
          }
          return backend
        },
      })
    },
  }
}
