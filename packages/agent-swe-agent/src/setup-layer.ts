import { createHash } from 'node:crypto'
import { join } from 'node:path'
import type { ImageLayer } from '@cooperbench/spec'
import { shellQuote } from '@cooperbench/spec-utils/host'
import { NO_PACKAGE_INDEX, REACH_PACKAGE_INDEX } from './package-index.js'
import type { SweAgentConfig } from './swe-config.js'
import { exports, SESSION_START_ENV } from './tools-install.js'

/** Where the layer's build puts the bundles while their install.sh run; removed before the layer is committed. */
const BUILD_DIR = '/tmp/cooperbench-swe-agent-setup'

/**
 * The bundles' `install.sh` (edit_anthropic's `pip install tree-sitter…`) run once per task image, as a layer a backend
 * that builds images puts under every sandbox of the image (`SandboxSpec.setupLayer`). Each sandbox still sources them,
 * as SWE-agent does, and pip finds what they installed already there instead of fetching it again. They run as the image's
 * user, in the environment the session gives them; one that fails is left to the sandboxes, which report it. Null when no
 * bundle has an `install.sh`.
 */
export function sweAgentSetupLayer(config: SweAgentConfig): ImageLayer | null {
  const bundles = config.bundles.filter((bundle) => bundle.files.some((file) => file.path === 'install.sh'))
  if (bundles.length === 0) return null
  const files = bundles.flatMap((bundle) =>
    bundle.files.map((file) => ({ path: `swe-agent-setup/${bundle.name}/${file.path}`, hostPath: join(bundle.dir, file.path) })),
  )
  const script = [
    // The session's environment as setupScript (tools-install.ts) makes it.
    ...exports(SESSION_START_ENV),
    ...exports(config.envVariables),
    `if ! ${REACH_PACKAGE_INDEX} >/dev/null 2>&1; then echo ${shellQuote(NO_PACKAGE_INDEX)}; export PIP_RETRIES=0; fi`,
    ...bundles.map((bundle) => {
      const failed = `${bundle.name}/install.sh failed here; each sandbox runs it again`
      return `(cd ${BUILD_DIR}/${bundle.name} && export PATH="$PWD/bin:$PATH" && source install.sh) || echo ${shellQuote(failed)}`
    }),
  ].join('\n')
  const dockerfile = [
    'ARG BASE_IMAGE',
    'FROM ${BASE_IMAGE}',
    'ARG IMAGE_USER=root',
    'USER root',
    `COPY swe-agent-setup ${BUILD_DIR}`,
    `RUN chmod -R a+rwX ${BUILD_DIR}`,
    'USER ${IMAGE_USER}',
    // The exec form: Docker substitutes nothing in it, bash gets the script as it is.
    `RUN ${JSON.stringify(['bash', '-c', script])}`,
    'USER root',
    `RUN rm -rf ${BUILD_DIR}`,
    'USER ${IMAGE_USER}',
    '',
  ].join('\n')
  const hash = createHash('sha256').update(dockerfile)
  for (const bundle of bundles) for (const file of bundle.files) hash.update(`\0${bundle.name}/${file.path}\0`).update(file.data)
  return {
    owner: "agent swe_agent's tool set-up (the bundles' install.sh)",
    // A bundle file or the environment changed, another image.
    tagSuffix: `-swe-agent-setup-${hash.digest('hex').slice(0, 12)}`,
    dockerfile,
    files,
  }
}
