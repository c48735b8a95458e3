/**
 * `@cooperbench/spec-utils`: what plugins and the host run beside the contracts of
 * `@cooperbench/spec`, as the AI SDK's provider-utils sits beside its provider package. The root
 * holds what any plugin may call: its options' defaults, its package's version, an agent's empty
 * result and enforced limits, a pair's names, the JSON-object test, a silent logger, bus timestamps, URL redaction, and
 * the waits and maps that buses and task lists share.
 * Subpaths hold the rest: `./records` (eval.json builders), `./patch` (patch sections, the
 * test-file rule), `./images` (task image names), `./team` (what a task list implementation runs)
 * and `./host` (what runs on the harness's machine: process identity, capped output, Python's
 * `str.format` and `json.dumps`).
 */
export { emptyAgentResult, isTimeout, limitOptions, limitsOfOptions } from './agent-results.js'
export { busTimestamp, isoFromMicros, timestampMicros } from './bus-clock.js'
export { getOrCreate } from './get-or-create.js'
export { isObject } from './is-object.js'
export { optionsDefaults } from './options-defaults.js'
export { packageVersion } from './package-version.js'
export { pairFolderName, pairLabel } from './pair-names.js'
export { REDACTED, redactUrlCredentials } from './redact-url.js'
export { SecretScrubber } from './secret-scrubber.js'
export { silentLogger } from './silent-logger.js'
export { sleepOrWake } from './sleep-or-wake.js'
