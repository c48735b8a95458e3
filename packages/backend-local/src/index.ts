export { LocalBackend, createLocalBackend, RUN_NAME_LABELS, type LocalBackendSettings } from './local-backend.js'
export { LocalSandbox } from './local-sandbox.js'
export { LOCAL_DEFAULTS, defaultLocalRoot, localBackendOptionsSchema, type LocalBackendOptions } from './options.js'
export { truncationMarker } from '@cooperbench/backend-kit'
