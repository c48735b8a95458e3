import type { ImageLayer } from '@cooperbench/spec'
import type { OpenHandsOptions } from './options.js'

/**
 * The agent server layered on a task image: its self-contained binary from the upstream release image (build argument
 * `SERVER_IMAGE` for another); the task image is otherwise unchanged, and the bridge starts the server.
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
