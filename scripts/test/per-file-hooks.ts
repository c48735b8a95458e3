/**
 * Setup file of every project (vitest runs it again for each test file, isolated or not): the
 * cleanups support modules registered with `after-every.ts` run after each test and each file, and
 * the file's CPU, its cleanups included, is logged (`file-cpu.ts`).
 */
import { afterAll, afterEach, beforeAll } from 'vitest'
import { runAfterFile, runAfterTest } from './after-every.js'
import { cpuSecondsSoFar, recordFileCpu } from './file-cpu.js'

let cpuAtStart: number | null = null
beforeAll(() => {
  cpuAtStart = cpuSecondsSoFar()
})
afterEach(runAfterTest)
// A setup file's top-level hook belongs to the file's own suite, which vitest passes second (it
// parses the first parameter as a fixtures pattern, which must be an object pattern).
// biome-ignore lint/correctness/noEmptyPattern: no fixture is wanted, only the suite.
afterAll(async ({}, suite) => {
  await runAfterFile()
  const cpuNow = cpuSecondsSoFar()
  if (cpuAtStart !== null && cpuNow !== null) recordFileCpu(suite.file.filepath, cpuNow - cpuAtStart, cpuNow)
})
