/**
 * `@cooperbench/spec-utils`: what plugins and the host run beside the contracts of
 * `@cooperbench/spec`, as the AI SDK's provider-utils sits beside its provider package. The root
 * holds what any plugin may call: its options' defaults, its package's version, an agent's empty
 * result and enforced limits, a pair's names, a silent logger, bus timestamps and URL redaction.
 * Subpaths hold the rest: `./records` (eval.json builders), `./patch` (patch sections, the
 * test-file rule), `./images` (task image names), `./team` (what a task list implementation runs)
 * and `./host` (what runs on the harness's machine: process identity, capped output, the team's
 * sandbox commands and briefing, Python-compatible JSON).
 */
export { emptyAgentResult, isTimeout, limitsOfOptions } from './agent-results.js'
export { busTimestamp, isoFromMicros, timestampMicros } from './bus-clock.js'
export { optionsDefaults } from './options-defaults.js'
export { packageVersion } from './package-version.js'
export { pairFolderName, pairLabel } from './pair-names.js'
export { REDACTED, redactUrlCredentials } from './redact-url.js'
export { silentLogger } from './silent-logger.js'
