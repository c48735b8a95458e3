/**
 * `@cooperbench/spec`: the contracts a cooperbench plugin implements and nothing else. It has
 * no runtime dependencies; plugins peer-depend on it and the host (the `cooperbench` CLI or a
 * script on `@cooperbench/core`) provides it, so a plugin never brings its own copy.
 */
export * from './contracts/index.js'
export * from './contracts/setup.js'
export { CooperbenchError, type CooperbenchErrorOptions, type ErrorCode, errorMessage, ExitCode, isCooperbenchError } from './errors.js'
export { PLUGIN_KINDS, type PluginKind, SPECIFICATION_VERSIONS } from './specification.js'
export * from './plugin.js'
export { busTimestamp, isoFromMicros, timestampMicros } from './bus-clock.js'
export { REDACTED, redactUrlCredentials } from './redact-url.js'
export { packageVersion } from './package-version.js'
