import type { PluginDefinition } from '@cooperbench/spec'
import { packageVersion } from '@cooperbench/spec-utils'
import { type ModalPort, modalBackendOptionsSchema } from '@cooperbench/backend-modal'
import type { DockerModalStandin } from '@cooperbench/standins/modal'

const version = packageVersion(import.meta.url)

/**
 * Backend `modal-standin`: the real `modal` backend (rate limit, retries, live cap, tags, exec wrapper, file transfer, `--git` server, cleanup)
 * over `@cooperbench/standins/modal`'s `dockerModalStandin` (local Docker containers), to try and test it without a Modal account; task
 * images must be local (`cooperbench images build`). Load it:
 *
 * ```js
 * // modal-standin.mjs, listed in `plugins` of cooperbench.config.json
 * import { modalStandinPlugin } from '<checkout>/packages/dev-tools/dist/modal-standin.js'
 * export default modalStandinPlugin()
 * ```
 */
export function modalStandinPlugin(): PluginDefinition {
  return {
    name: '@cooperbench/dev-tools/modal-standin',
    version,
    coreRange: '^0.1.0',
    register(api) {
      api.backend({
        name: 'modal-standin',
        specificationVersion: 'backend-v1',
        description: 'the modal backend over a local stand-in of Modal (sandboxes are local Docker containers; for tests and trials)',
        optionsSchema: modalBackendOptionsSchema,
        create: async (context) => {
          const [port, { ModalBackend }] = await Promise.all([dockerPort(), import('@cooperbench/backend-modal')])
          return new ModalBackend({ ...(context.options as object), logger: context.logger, port })
        },
        setup: async (context) => {
          const [port, { ModalBackend, setupModal }] = await Promise.all([dockerPort(), import('@cooperbench/backend-modal')])
          return setupModal(context, { env: null, createBackend: async (options) => new ModalBackend({ ...options, logger: context.logger, port }) })
        },
      })
    },
  }
}

/** The local Docker stand-in as the backend's port; stand-ins are typed with Modal's SDK alone (the backend's tests use them): here tsc checks `ModalPort`. */
async function dockerPort(): Promise<ModalPort> {
  const [{ default: Docker }, { dockerModalStandin }] = await Promise.all([import('dockerode'), import('@cooperbench/standins/modal')])
  const port: DockerModalStandin = dockerModalStandin({ docker: new Docker() })
  return port
}
