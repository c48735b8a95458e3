export { LocalBackend, createLocalBackend, type LocalBackendSettings } from './local-backend.js'
export { LocalSandbox } from './local-sandbox.js'
export { SYSTEM_ONLY_ROOT } from './bwrap-args.js'
export { LOCAL_DEFAULTS, defaultLocalRoot, localBackendOptionsSchema, type LocalBackendOptions } from './options.js'
