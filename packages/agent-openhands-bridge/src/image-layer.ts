import type { ImageLayer } from '@cooperbench/spec'
import type { OpenHandsOptions } from './options.js'

/**
 * The agent server layered on a task image: its self-contained binary copied from the upstream
 * release image `ghcr.io/openhands/agent-server:<server_version>-python` (build argument
 * `SERVER_IMAGE` to use another, e.g. a locally built one). The task image stays as it is, so the
 * repository, `runner.sh` and the tests are the same; the server is started by the bridge.
 */
export function openHandsImageLayer(options: Pick<OpenHandsOptions, 'server_version'>): ImageLayer {
  return {
    owner: 'agent openhands_sdk',
    // As the reference names task images with the agent server (`…:task17244-oh`).
    tagSuffix: '-oh',
    buildArgs: { SERVER_IMAGE: `ghcr.io/openhands/agent-server:${options.server_version}-python` },
    dockerfile: [
      'ARG BASE_IMAGE',
      'ARG SERVER_IMAGE',
      'FROM ${SERVER_IMAGE} AS server',
      'FROM ${BASE_IMAGE}',
      'COPY --from=server /usr/local/bin/openhands-agent-server /usr/local/bin/openhands-agent-server',
      '',
    ].join('\n'),
    // A glibc build: on a musl task image (Alpine) it cannot start, which the build must say.
    smokeTest: ['/usr/local/bin/openhands-agent-server', '--help'],
  }
}
