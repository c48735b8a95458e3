/**
 * `@cooperbench/spec`: the contracts a cooperbench plugin implements, nothing else, with no runtime dependencies. Plugins peer-depend on
 * it and the host (the `cooperbench` CLI, a script on `@cooperbench/core`) provides it, so a plugin never brings its own copy. What runs
 * beside the contracts (options' defaults, the package version, eval.json builders, patch rules, …) is `@cooperbench/spec-utils`.
 */
export * from './contracts/index.js'
export * from './contracts/setup.js'
export { CooperbenchError, type CooperbenchErrorOptions, type ErrorCode, errorMessage, ExitCode, isCooperbenchError } from './errors.js'
export { PLUGIN_KINDS, type PluginKind, SPECIFICATION_VERSIONS } from './specification.js'
export * from './plugin.js'
export { DEFAULT_EVALUATION_POLICY, EVALUATION_POLICIES, isEvaluationPolicy, UNNAMED_EVALUATION_POLICY } from './evaluation-policies.js'
