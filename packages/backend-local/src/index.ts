export { LocalBackend, createLocalBackend, RUN_NAME_LABELS, type LocalBackendSettings, type LocalReapFilter } from './local-backend.js'
export { LocalSandbox } from './local-sandbox.js'
export {
  DEFAULT_MAX_OUTPUT_BYTES,
  defaultLocalRoot,
  localBackendOptionsSchema,
  parseLocalBackendOptions,
  type LocalBackendOptions,
} from './options.js'
export { truncationMarker } from '@cooperbench/backend-kit'
