/**
 * Vitest's global setup: one folder per suite run for fixtures that several test files read and
 * none changes (built once by whichever file asks first, see `shared-once.ts`), removed when the
 * run ends.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { clearFileCpuLog, cpuTimesSoFar, recordSuiteCpu } from './file-cpu.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The suite run's folder of shared fixtures. */
    sharedFixturesDir: string
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  clearFileCpuLog()
  const dir = await mkdtemp(join(tmpdir(), 'cb-shared-fixtures-'))
  project.provide('sharedFixturesDir', dir)
  return async () => {
    await rm(dir, { recursive: true, force: true })
    recordSuiteCpu(cpuTimesSoFar())
  }
}
