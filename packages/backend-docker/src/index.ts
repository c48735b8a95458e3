export { DockerBackend, createDockerBackend, type DockerBackendSettings, type DockerReapFilter } from './docker-backend.js'
export { DockerSandbox, PROFILE_HOOK_PATH } from './docker-sandbox.js'
export { DEFAULT_DOCKER_SOCKET, createDockerClient, resolveDockerAddress, type DockerAddress } from './docker-client.js'
export { TaskImages, type EnsuredImage, type ImageAction } from './images.js'
export { DOCKER_LABELS, isCreatorAlive } from './labels.js'
export {
  DOCKER_DEFAULTS,
  dockerBackendOptionsSchema,
  parseDockerBackendOptions,
  parseMemory,
  type DockerBackendOptions,
  type PullPolicy,
  type ResolvedDockerOptions,
} from './options.js'
export { truncationMarker } from '@cooperbench/backend-kit'
