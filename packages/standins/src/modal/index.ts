import { type PluginDefinition, packageVersion } from '@cooperbench/core'
import { modalBackendOptionsSchema } from '@cooperbench/backend-modal'

export { dockerModalStandin, STANDIN_LABEL, type DockerModalStandin, type DockerModalStandinOptions } from './docker-modal.js'
export { hostModalStandin, type HostModalStandin, type HostModalStandinOptions } from './host-modal.js'
export { mockControlPlane, type MockControlPlane, type ControlPlaneCall } from './control-plane.js'
export { TAG_PATTERN } from './modal-rules.js'

const version = packageVersion(import.meta.url)

/**
 * A plugin contributing backend `modal-standin`: the real `modal` backend (rate limit, retries,
 * live cap, tags, exec wrapper, file transfer, `--git` server, cleanup) over
 * {@link dockerModalStandin}, whose sandboxes are containers on the local Docker engine. For
 * trying the Modal backend and testing against it without a Modal account: task images must be
 * local images (`cooperbench images build`). Load it from a config file:
 *
 * ```js
 * // modal-standin.mjs, listed in `plugins` of cooperbench.config.json
 * import { modalStandinPlugin } from '@cooperbench/standins/modal'
 * export default modalStandinPlugin()
 * ```
 */
export function modalStandinPlugin(): PluginDefinition {
  return {
    name: '@cooperbench/standins/modal',
    version,
    coreRange: '^0.1.0',
    register(api) {
      api.backend({
        name: 'modal-standin',
        specificationVersion: 'backend-v1',
        description: 'the modal backend over a local stand-in of Modal (sandboxes are local Docker containers; for tests and trials)',
        optionsSchema: modalBackendOptionsSchema,
        create: async (context) => {
          const [{ default: Docker }, { dockerModalStandin }, { ModalBackend }] = await Promise.all([
            import('dockerode'),
            import('./docker-modal.js'),
            import('@cooperbench/backend-modal'),
          ])
          const port = dockerModalStandin({ docker: new Docker() })
          return new ModalBackend({ ...(context.options as object), logger: context.logger, port })
        },
        setup: async (context) => {
          const [{ default: Docker }, { dockerModalStandin }, { ModalBackend, setupModal }] = await Promise.all([
            import('dockerode'),
            import('./docker-modal.js'),
            import('@cooperbench/backend-modal'),
          ])
          const port = dockerModalStandin({ docker: new Docker() })
          return setupModal(context, { env: null, createBackend: async (options) => new ModalBackend({ ...options, logger: context.logger, port }) })
        },
      })
    },
  }
}
