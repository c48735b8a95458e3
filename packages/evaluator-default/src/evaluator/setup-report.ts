import { createHash } from 'node:crypto'
import type { MergeStrategy } from '@cooperbench/spec'
import { lastMarker, parseMarkers, type Markers } from './markers.js'

/** The marker line body every setup script prints as its last line when it finished. */
export const SETUP_DONE_MARKER = 'setup=done'

/** Size and git blob SHA-1 of a file, as `reportPatchFilesStep` prints them. */
export interface FileDigest {
  size: number
  sha1: string
}

/** The digest `git hash-object` gives for these bytes. */
export function fileDigest(bytes: Uint8Array): FileDigest {
  const hash = createHash('sha1')
  hash.update(`blob ${bytes.byteLength}\0`)
  hash.update(bytes)
  return { size: bytes.byteLength, sha1: hash.digest('hex') }
}

type BranchApply = 'applied' | 'skipped' | 'failed'
const MERGE_OUTCOMES = ['clean', 'conflicts'] as const
type MergeOutcome = (typeof MERGE_OUTCOMES)[number]

/** What a setup script reported through its markers. */
export interface SetupReport {
  /** The script reached its end marker. */
  done: boolean
  /** The step that ended the script early (`failed=<step>`), if any. */
  failedStep: string | null
  /** Written files as the sandbox sees them; `null` = missing. */
  files: Map<string, FileDigest | null>
  base: string | null
  /** Per branch (`agent1`, `agent2`). */
  apply: Map<string, BranchApply>
  /** Which patch variant was used, per branch or `solo`: `as-is`, `repaired`, `none`. */
  variants: Map<string, string>
  naive: MergeOutcome | null
  union: MergeOutcome | null
  strategy: MergeStrategy | null
  /** cooperbench-0.0.16: every patch was the same (`identical=yes`), and whether it applied (`identical_apply`). */
  identical: boolean
  identicalApplied: boolean
  /** cooperbench-0.0.16: the merge failed and agent1's patch alone is tested (`agent1`), or it did not apply either (`none`). */
  fallback: 'agent1' | 'none' | null
  mergedSize: number | null
  /** The first bytes of merged.patch, when the script could print them. */
  mergedHead: Uint8Array | null
  /** Every marker, for steps this report has no field for. */
  markers: Markers
}

export function parseSetupReport(output: string): SetupReport {
  const markers = parseMarkers(output)
  const files = new Map<string, FileDigest | null>()
  for (const value of markers.get('file') ?? []) {
    const [name, size, sha1] = value.split(' ')
    if (name === undefined || name === '') continue
    files.set(name, size !== undefined && sha1 !== undefined && /^\d+$/.test(size) ? { size: Number(size), sha1 } : null)
  }
  const apply = new Map<string, BranchApply>()
  const variants = new Map<string, string>()
  for (const [key, values] of markers) {
    const value = values[values.length - 1]
    if (value === undefined) continue
    const applied = oneOf(value, ['applied', 'skipped', 'failed'] as const)
    if (key.startsWith('apply.') && applied !== null) apply.set(key.slice('apply.'.length), applied)
    if (key.startsWith('variant.')) variants.set(key.slice('variant.'.length), value)
  }
  const size = lastMarker(markers, 'merged_size')
  const head = lastMarker(markers, 'merged_head_b64')
  const base = lastMarker(markers, 'base')
  return {
    done: `setup=${lastMarker(markers, 'setup')}` === SETUP_DONE_MARKER,
    failedStep: lastMarker(markers, 'failed') ?? null,
    files,
    base: base !== undefined && base !== '' ? base : null,
    apply,
    variants,
    naive: oneOf(lastMarker(markers, 'naive'), MERGE_OUTCOMES),
    union: oneOf(lastMarker(markers, 'union'), MERGE_OUTCOMES),
    // `solo-agent1` is decided after the tests, never printed.
    strategy: oneOf(lastMarker(markers, 'strategy'), ['naive', 'union', 'skip-merge-identical', 'sequential-fold'] as const),
    identical: lastMarker(markers, 'identical') === 'yes',
    identicalApplied: lastMarker(markers, 'identical_apply') === 'applied',
    fallback: oneOf(lastMarker(markers, 'fallback'), ['agent1', 'none'] as const),
    mergedSize: size !== undefined && /^\d+$/.test(size) ? Number(size) : null,
    mergedHead: head !== undefined ? new Uint8Array(Buffer.from(head, 'base64')) : null,
    markers,
  }
}

/** The error text (`Failed to write <file>: …`) of the first file the sandbox reports otherwise than written, or null. */
export function verifyWrittenFiles(written: ReadonlyMap<string, Uint8Array>, reported: ReadonlyMap<string, FileDigest | null>): string | null {
  for (const [name, bytes] of written) {
    const expected = fileDigest(bytes)
    const actual = reported.get(name)
    if (actual === undefined) return `Failed to write ${name}: the sandbox did not report it`
    if (actual === null) return `Failed to write ${name}: missing in the sandbox after writing`
    if (actual.size !== expected.size || actual.sha1 !== expected.sha1) {
      return (
        `Failed to write ${name}: the sandbox has ${actual.size} bytes (git sha1 ${actual.sha1}), ` +
        `expected ${expected.size} bytes (git sha1 ${expected.sha1})`
      )
    }
  }
  return null
}

/** The error text when the sandbox's repository has no commit (docs/reference-compatibility.md#evaluation). */
export const BASE_COMMIT_ERROR = 'Failed to get base commit SHA'

/** Checks every script's first reports (written files, a base commit, the task's): the first problem, `'not-started'` if none came, or null. */
export function setupPreambleProblem(report: SetupReport, written: ReadonlyMap<string, Uint8Array>, expectedBase: string | null): string | null {
  if (report.files.size === 0) return 'not-started'
  const writeError = verifyWrittenFiles(written, report.files)
  if (writeError !== null) return writeError
  if (report.base === null) return BASE_COMMIT_ERROR
  return baseCommitMismatch(report.base, expectedBase)
}

/** The error text when the repository is not at the task's known base commit (docs/reference-compatibility.md#dataset), else null. */
export function baseCommitMismatch(actual: string, expected: string | null): string | null {
  if (expected === null || expected === '') return null
  const a = actual.toLowerCase()
  const e = expected.toLowerCase()
  if (a === e || (e.length < a.length && a.startsWith(e))) return null
  return `Base commit mismatch: the sandbox repository is at ${actual}, the task's base commit is ${expected}`
}

/** `value` when it is one of `allowed`, else null. */
function oneOf<T extends string>(value: string | undefined, allowed: readonly T[]): T | null {
  return allowed.includes(value as T) ? (value as T) : null
}
