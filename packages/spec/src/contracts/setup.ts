import type { Logger } from './logger.js'
import type { Task } from './task.js'

/** What `cooperbench config <name>` gives a plugin object's `setup`: its options as configured, and what it needs to try itself for real. */
export interface SetupContext {
  /** The object's options from the config file, checked against its schema, defaults filled in. */
  options: Record<string, unknown>
  /** Try it for real (create a sandbox, run a command) unless the user said `--skip-tests`. */
  liveTest: boolean
  /** A task of the configured dataset to try and its image name, loaded when called (after credentials are checked); throws naming the problem. */
  task(): Promise<{ task: Task; image: string }>
  logger: Logger
  /** Prints one line of progress for the user. */
  report(line: string): void
  signal: AbortSignal
}

export interface SetupResult {
  /** Options to write into the object's section of the user's config file (over what is there). */
  options: Record<string, unknown>
  /** What was checked and found, one line each (`credentials: ~/.modal.toml profile lab`). */
  findings: string[]
  /** What could not be checked or looks wrong but does not stop the setup, one line each. */
  warnings?: string[]
}
