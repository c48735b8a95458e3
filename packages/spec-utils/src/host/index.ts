/**
 * `@cooperbench/spec-utils/host`: what the harness and the backend kit run on the harness's machine (node built-ins only): a sandbox's
 * creating process and whether it runs, output cut at a sandbox's cap, shell words, a finished scripted job replayed as a sandbox, and
 * Python's `str.format` and `json.dumps`, for the files and output the reference's readers expect, and a JSON file of named strings.
 */
export { cappedText, truncationMarker } from './capped-text.js'
export { currentProcessIdentity, isProcessAlive, type ProcessIdentity, processStartTime } from './process-identity.js'
export { formatPieces, parsePythonFormat, type PythonFormatPiece } from './python-format.js'
export { RecordedRunSandbox } from './recorded-run-sandbox.js'
export { shellQuote, shellWord } from './shell-quote.js'
export { stringFields } from './string-fields.js'
export { type PythonJsonOptions, pythonFloat, pythonJsonDumps } from './python-json.js'
