/**
 * Cleanups that a test support module registers once, run after every test or every test file that
 * imports it. A top-level `afterEach`/`afterAll` in a support module would not do: under `isolate:
 * false` (the unit project), a module that several files import is evaluated once per worker, so
 * its hooks would attach to the first of those files only. `per-file-hooks.ts`, a setup file, which
 * vitest runs again for every file, runs what is registered here.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

type Cleanup = () => unknown

const afterTest = new Set<Cleanup>()
const afterFile = new Set<Cleanup>()

/** Runs `cleanup` after each test of every file (the support module's own state, e.g. servers it opened). */
export function afterEveryTest(cleanup: Cleanup): void {
  afterTest.add(cleanup)
}

/** Runs `cleanup` once every test file has ended (e.g. removes the temp folders the module made for it). */
export function afterEveryFile(cleanup: Cleanup): void {
  afterFile.add(cleanup)
}

/** @internal per-file-hooks.ts */
export async function runAfterTest(): Promise<void> {
  for (const cleanup of afterTest) await cleanup()
}

/** @internal per-file-hooks.ts */
export async function runAfterFile(): Promise<void> {
  for (const cleanup of afterFile) await cleanup()
}

const foldersOfThisFile: string[] = []
afterEveryFile(() => Promise.all(foldersOfThisFile.splice(0).map((dir) => rm(dir, { recursive: true, force: true }))))

/** A fresh temp folder (`<tmpdir>/<prefix>XXXXXX`), removed when the current test file ends. */
export async function tempFolderOfThisFile(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  foldersOfThisFile.push(dir)
  return dir
}
