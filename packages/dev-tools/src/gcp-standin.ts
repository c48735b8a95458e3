import { userInfo } from 'node:os'
import type { PluginDefinition } from '@cooperbench/spec'
import { packageVersion } from '@cooperbench/spec-utils'
import { gcpBackendOptionsSchema } from '@cooperbench/backend-gcp'

const version = packageVersion(import.meta.url)

/** The bucket the stand-in starts with, which backend `gcp-standin` stages Batch evaluations in. */
const STANDIN_BUCKET = 'standin-project-cooperbench'

/**
 * Backend `gcp-standin`: the real `gcp` backend and Google's clients (static token) against `@cooperbench/standins/gcp`'s `startGoogleStandin`
 * (REST on one local endpoint: VMs are sshd hosts before local Docker, Batch tasks containers, Storage a folder), to try and test it without
 * a Google account; needs root, sshd and Docker. Load it from a config file:
 *
 * ```js
 * // gcp-standin.mjs, listed in `plugins` of cooperbench.config.json
 * import { gcpStandinPlugin } from '<checkout>/packages/dev-tools/dist/gcp-standin.js'
 * export default gcpStandinPlugin()
 * ```
 */
export function gcpStandinPlugin(): PluginDefinition {
  return {
    name: '@cooperbench/dev-tools/gcp-standin',
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
            import('@cooperbench/standins/gcp'),
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
          backend.close = () => close().finally(() => fake.close())
          return backend
        },
      })
    },
  }
}
