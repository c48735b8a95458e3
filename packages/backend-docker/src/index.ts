export { DockerBackend, createDockerBackend, type DockerBackendSettings } from './docker-backend.js'
export { DockerSandbox } from './docker-sandbox.js'
export { DEFAULT_DOCKER_SOCKET, resolveDockerAddress, type DockerAddress } from './docker-client.js'
export { TaskImages, type EnsuredImage, type ImageAction } from './images.js'
export { creator, DOCKER_LABELS } from './labels.js'
export {
  DOCKER_DEFAULTS,
  dockerBackendOptionsSchema,
  parseMemory,
  resolveDockerOptions,
  type DockerBackendOptions,
  type ResolvedDockerOptions,
} from './options.js'
