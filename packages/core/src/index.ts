/**
 * For plugin authors: contracts, `definePlugin`, errors, backends' sandbox helpers. The harness is behind `/dataset`, `/runner`, `/plugins`;
 * configuration is `@cooperbench/config`, run folders `@cooperbench/results`.
 */
export * from '@cooperbench/spec'
export { applyPlugin } from './plugin/define-plugin.js'
export { type PluginFailure, PluginRegistry, type RegisteredEntry } from './plugin/registry.js'
export { Tokens } from './plugin/tokens.js'
export { CORE_VERSION } from './version.js'
export { invalidConfigError, pluginOptionsProblems, validatePluginOptions } from '@cooperbench/config'
export { imageName } from '@cooperbench/spec-utils/images'
