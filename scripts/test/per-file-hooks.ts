/**
 * Setup file of every project (vitest runs it again for each test file, isolated or not): the
 * cleanups support modules registered with `after-every.ts` run after each test and each file.
 */
import { afterAll, afterEach } from 'vitest'
import { runAfterFile, runAfterTest } from './after-every.js'

afterEach(runAfterTest)
afterAll(runAfterFile)
