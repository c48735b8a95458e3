import { createRequire } from 'node:module'
import { userInfo } from 'node:os'
import type { PluginDefinition } from '@cooperbench/core'
import { gcpBackendOptionsSchema } from '../options.js'

export { fakeComputeProblem, startFakeCompute, STANDIN_VM_LABEL, type FakeCompute, type FakeComputeOptions } from './fake-compute.js'

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string }

/**
 * A plugin contributing backend `gcp-standin`: the real `gcp` backend code and Google's own
 * Compute client, pointed at {@link startFakeCompute} (a Compute REST stand-in whose VMs are
 * local sshd hosts in front of this machine's Docker engine), with a static access token. For
 * trying the backend and testing it without a Google account; needs root, sshd and Docker.
 */
export function gcpStandinPlugin(): PluginDefinition {
  return {
    name: '@cooperbench/backend-gcp/standin',
    version,
    coreRange: '^0.1.0',
    register(api) {
      api.backend({
        name: 'gcp-standin',
        specificationVersion: 'backend-v1',
        description: 'the gcp backend over a local stand-in of Compute Engine (VMs are local sshd hosts with Docker; for tests and trials)',
        optionsSchema: gcpBackendOptionsSchema,
        create: async (context) => {
          const [{ startFakeCompute }, { GcpBackend }, { OAuth2Client }] = await Promise.all([import('./fake-compute.js'), import('../gcp-backend.js'), import('google-auth-library')])
          const fake = await startFakeCompute()
          const auth = new OAuth2Client()
          auth.setCredentials({ access_token: 'standin-token', expiry_date: Date.now() + 24 * 3600_000 })
          const backend = new GcpBackend({
            project: 'standin-project',
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
