/**
 * `@cooperbench/spec-utils`: what plugins and the host run beside `@cooperbench/spec`'s contracts (as the AI SDK's provider-utils beside
 * its provider package). The root holds what any plugin may call; subpaths the rest: `./records` (eval.json builders), `./patch` (patch
 * sections, the test-file rule), `./images`, `./setting` (what settings build protocols from), `./host` (what runs on the harness's machine).
 */
export { emptyAgentResult, isTimeout, limitOptions, limitsOfOptions } from './agent-results.js'
export { busTimestamp, isoFromMicros, timestampMicros } from './bus-clock.js'
export { getOrCreate } from './get-or-create.js'
export { isObject } from './is-object.js'
export { MemoryLogs } from './memory-logs.js'
export { optionsDefaults } from './options-defaults.js'
export { packageVersion } from './package-version.js'
export { pairFolderName, pairLabel } from './pair-names.js'
export { REDACTED, redactUrlCredentials } from './redact-url.js'
export { SecretScrubber } from './secret-scrubber.js'
export { silentLogger } from './silent-logger.js'
export { sleepOrWake } from './sleep-or-wake.js'
export { writeSandboxFiles } from './write-sandbox-files.js'
