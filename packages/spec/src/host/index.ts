/**
 * `@cooperbench/spec/host`: what the harness and the backend kit both run on the harness's own
 * machine (node built-ins only): which process created a sandbox and whether it still runs
 * (`currentProcessIdentity`, `isProcessAlive`), the text of output cut at a sandbox's cap
 * (`cappedText`, `truncationMarker`), a shell word (`shellQuote`), and the replay of a finished scripted job as a sandbox
 * (`RecordedRunSandbox`).
 */
export { cappedText, truncationMarker } from './capped-text.js'
export { currentProcessIdentity, isProcessAlive, type ProcessIdentity, processStartTime } from './process-identity.js'
export { RecordedRunSandbox } from './recorded-run-sandbox.js'
export { shellQuote } from './shell-quote.js'
