/**
 * `@cooperbench/spec-utils/host`: what the harness and the backend kit both run on the harness's own
 * machine (node built-ins only): which process created a sandbox and whether it still runs
 * (`currentProcessIdentity`, `isProcessAlive`), the text of output cut at a sandbox's cap
 * (`cappedText`, `truncationMarker`), a shell word (`shellQuote`), the replay of a finished scripted
 * job as a sandbox (`RecordedRunSandbox`), Python's `str.format` (`parsePythonFormat`), and JSON as
 * Python's `json.dumps` writes it (`pythonJsonDumps`), for the files and output the reference's readers expect.
 */
export { cappedText, truncationMarker } from './capped-text.js'
export { currentProcessIdentity, isProcessAlive, type ProcessIdentity, processStartTime } from './process-identity.js'
export { formatPieces, parsePythonFormat, type PythonFormatPiece } from './python-format.js'
export { RecordedRunSandbox } from './recorded-run-sandbox.js'
export { shellQuote, shellWord } from './shell-quote.js'
export { type PythonJsonOptions, pythonFloat, pythonJsonDumps, TEAM_FLOAT_KEYS } from './python-json.js'
