/**
 * Errors that reach a user carry a stable code, a one-line message naming the problem and a hint naming the fix. The CLI prints
 * `error: <message>`, `hint: <hint>` and exits with `exitCode`; stacks only with --verbose. Check with `isCooperbenchError` (duck
 * typing on `name` + `code`), never `instanceof`: a plugin may bring its own copy of core.
 */

/** Process exit codes, distinct per family of failure. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  dataset: 3,
  backend: 4,
  plugin: 5,
  runConflict: 6,
  filesystem: 7,
  interrupted: 130,
} as const

/** Every error code, with the exit code of its family. */
const exitCodeByErrorCode = {
  CONFIG_INVALID: ExitCode.usage,
  CONFIG_NOT_FOUND: ExitCode.usage,
  USAGE: ExitCode.usage,
  DATASET_NOT_FOUND: ExitCode.dataset,
  DATASET_INVALID: ExitCode.dataset,
  SUBSET_NOT_FOUND: ExitCode.dataset,
  // A subset file is the user's choice of what to run, written like a config file: a malformed one is bad usage.
  SUBSET_INVALID: ExitCode.usage,
  FILTER_NO_MATCH: ExitCode.dataset,
  TASK_UNSUPPORTED: ExitCode.backend,
  BACKEND_UNAVAILABLE: ExitCode.backend,
  SANDBOX_FAILED: ExitCode.backend,
  INFRA_FAILED: ExitCode.backend,
  NOTHING_JUDGED: ExitCode.failure,
  PLUGIN_NOT_FOUND: ExitCode.plugin,
  PLUGIN_INCOMPATIBLE: ExitCode.plugin,
  PLUGIN_FAILED: ExitCode.plugin,
  RUN_CONFIG_MISMATCH: ExitCode.runConflict,
  RUN_IN_USE: ExitCode.runConflict,
  /** A run that stopped before it finished (interrupted, or its process gone), where a command needs a finished one (`bundle`). */
  RUN_UNFINISHED: ExitCode.runConflict,
  RUN_NOT_FOUND: ExitCode.usage,
  INTERRUPTED: ExitCode.interrupted,
  FILESYSTEM: ExitCode.filesystem,
  INTERNAL: ExitCode.failure,
  /** `cooperbench verify`: a bundle's verdict, patch, figure or dataset is not what re-evaluating it gives. */
  BUNDLE_MISMATCH: ExitCode.failure,
  /** A file given as a bundle is not one (not a tar.gz of `cooperbench bundle`, or of an unknown version). */
  BUNDLE_INVALID: ExitCode.usage,
} as const satisfies Record<string, number>

export type ErrorCode = keyof typeof exitCodeByErrorCode

export interface CooperbenchErrorOptions {
  hint?: string
  cause?: unknown
  /** Extra lines (e.g. one per invalid config field); printed under the message. */
  details?: string[]
}

export class CooperbenchError extends Error {
  override readonly name = 'CooperbenchError'
  readonly code: ErrorCode
  readonly hint: string | undefined
  readonly details: string[]
  readonly exitCode: number

  constructor(code: ErrorCode, message: string, options: CooperbenchErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.hint = options.hint
    this.details = options.details ?? []
    this.exitCode = exitCodeByErrorCode[code]
  }
}

export function isCooperbenchError(error: unknown): error is CooperbenchError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === 'CooperbenchError' &&
    typeof (error as { code?: unknown }).code === 'string'
  )
}

/** The message of anything thrown, for records such as result.json's `error`. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
