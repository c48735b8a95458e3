import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Task } from '@cooperbench/spec'
import { filterTestFiles, patchPaths } from '@cooperbench/spec-utils/patch'
import { normalizePatch, repairShellQuotes } from './sanitize.js'

/** A feature's hidden tests, byte-exact as shipped. */
export interface TestsPatch {
  featureId: number
  path: string
  bytes: Buffer
}

/** The folder of feature `id` of a task (`task<ID>/feature<id>` when the task does not list it). */
export function featureDir(task: Task, id: number): string {
  return task.features.find((f) => f.id === id)?.dir ?? join(task.dir, `feature${id}`)
}

/** Reads each feature's `tests.patch`; a missing one is `{ error: 'Tests patch not found: <path>' }`, checked before any sandbox starts. */
export async function loadTestsPatches(task: Task, featureIds: readonly number[]): Promise<{ patches: TestsPatch[] } | { error: string }> {
  const patches: TestsPatch[] = []
  for (const featureId of featureIds) {
    const path = join(featureDir(task, featureId), 'tests.patch')
    const bytes = await readOptionalFile(path)
    if (bytes === null) return { error: `Tests patch not found: ${path}` }
    patches.push({ featureId, path, bytes })
  }
  return { patches }
}

/** The file's bytes, or null when it does not exist (other read errors are thrown). */
export async function readOptionalFile(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path)
  } catch (error) {
    const code = (error as { code?: unknown }).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return null
    throw error
  }
}

/** Every path the given tests patches touch (the test-file filter never lets an agent patch touch them). */
export function testsPatchPaths(patches: readonly { bytes: Uint8Array }[]): Set<string> {
  return new Set(patches.flatMap((p) => patchPaths(Buffer.from(p.bytes).toString('utf8'))))
}

/** An agent patch after preprocessing (docs/reference-compatibility.md#evaluation). */
export interface PreparedPatch {
  /** Normalised and test-filtered; tried first. */
  patch: string
  /** The shell-quote-repaired variant, only when it differs from `patch`. */
  repaired: string | null
  /** Paths of the dropped test-file sections. */
  dropped: string[]
}

/** Normalises an agent patch, drops its sections touching test files, and prepares the quote-repaired variant. */
export function prepareAgentPatch(raw: string, protectedPaths: Iterable<string>): PreparedPatch {
  const { patch, dropped } = filterTestFiles(normalizePatch(raw), protectedPaths)
  const repaired = repairShellQuotes(patch)
  return { patch, repaired: repaired !== patch ? repaired : null, dropped }
}
