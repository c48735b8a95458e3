import { createHash, randomBytes, randomInt } from 'node:crypto'
import { isDeepStrictEqual } from 'node:util'
import type { ExecOptions, ExecResult, Sandbox } from '@cooperbench/core'

/**
 * Thrown by a conformance check when the sandbox or backend breaks the contract. The message
 * says what was expected and what happened.
 */
export class ConformanceViolation extends Error {
  override readonly name = 'ConformanceViolation'
}

/** Settings shared by the checks. */
export interface CheckOptions {
  /**
   * How long a killed command (timeout, abort, terminate) and `terminate` itself may take to
   * return, in ms, on top of the timeout. Default 30000: a tenth of what the killed command
   * would run ({@link sleeper}), so "promptly" means "it was killed, not waited for", whatever the
   * machine's load (a backend that kills through its CLI spawns a process or two per kill).
   */
  promptMs?: number
  /**
   * Also look for leftover processes in this machine's process table, for backends whose
   * sandboxes are processes here (isolation `none` or `process`). Whatever the setting, the
   * processes the sandbox itself can see are checked.
   */
  hostProcesses?: boolean
  /**
   * Directory in the sandbox where checks make their scratch files (each check its own
   * `cooperbench-conformance-<random>` entry, removed afterwards; a check that terminates its
   * sandbox leaves the removal to the sandbox's end). Default `/tmp`: give a folder of your own
   * when the sandbox's `/tmp` is this machine's (describeBackendConformance does for `paths: 'mapped'`).
   */
  scratchDir?: string
}

export const DEFAULT_PROMPT_MS = 30_000

/** A command that sleeps for 300 s under a unique, recognisable command line. */
export function sleeper(): { marker: string; sleep: string } {
  const marker = `300.${randomInt(100_000_000, 999_999_999)}`
  return { marker, sleep: `sleep ${marker}` }
}

/** A fresh path under the scratch directory for one check's files. */
export function scratch(options: CheckOptions): string {
  return `${options.scratchDir ?? '/tmp'}/cooperbench-conformance-${randomBytes(6).toString('hex')}`
}

export function quote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`
}

export function preview(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 300 ? `${value.slice(0, 300)}… (${value.length} chars)` : value)
  if (value instanceof Uint8Array) return `<${value.length} bytes>`
  if (value && typeof value === 'object') {
    return `{ ${Object.entries(value)
      .map(([key, entry]) => `${key}: ${preview(entry)}`)
      .join(', ')} }`
  }
  return String(value)
}

export function violation(message: string): never {
  throw new ConformanceViolation(message)
}

/** Fails unless `actual` deep-equals `expected`. */
export function same(actual: unknown, expected: unknown, what: string): void {
  if (!isDeepStrictEqual(actual, expected)) violation(`${what}: expected ${preview(expected)}, got ${preview(actual)}`)
}

/** Fails unless every given field of the result has the expected value. */
export function resultMatches(result: ExecResult, expected: Partial<ExecResult>, what: string): void {
  for (const [key, value] of Object.entries(expected)) {
    if (!isDeepStrictEqual(result[key as keyof ExecResult], value)) {
      violation(`${what}: expected ${key} ${preview(value)}, got ${preview(result[key as keyof ExecResult])} (result ${preview(result)})`)
    }
  }
}

/** Resolves like `promise`, or fails with "`what` did not `verb` within `ms` ms" when it has not settled after `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string, verb: 'return' | 'settle' = 'return'): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  // A late rejection after the deadline must not surface as an unhandled rejection.
  promise.catch(() => {})
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ConformanceViolation(`${what} did not ${verb} within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([promise, deadline])
  } finally {
    clearTimeout(timer)
  }
}

/** The rejection of `call()` (a synchronous throw counts too); fails when it resolves. */
export async function rejection(call: () => Promise<unknown>, what: string): Promise<unknown> {
  let outcome: unknown
  try {
    outcome = await call()
  } catch (error) {
    return error
  }
  return violation(`${what}: expected a rejection, it resolved with ${preview(outcome)}`)
}

/** Resolves like `promise`; a rejection becomes a violation naming `what`. */
export async function attempt<T>(promise: Promise<T>, what: string): Promise<T> {
  try {
    return await promise
  } catch (error) {
    if (error instanceof ConformanceViolation) throw error
    return violation(`${what} rejected: ${error instanceof Error ? error.message : String(error)}`)
  }
}

export async function run(sandbox: Sandbox, command: string | string[], options: ExecOptions = {}): Promise<ExecResult> {
  return sandbox.exec(command, { timeoutMs: 60_000, ...options })
}

/** Runs a setup command that must succeed. */
export async function must(sandbox: Sandbox, command: string, what: string): Promise<ExecResult> {
  const result = await run(sandbox, command)
  if (result.exitCode !== 0) violation(`${what}: \`${command}\` exited ${result.exitCode}: ${preview(result.stderr || result.stdout)}`)
  return result
}

export const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex')
