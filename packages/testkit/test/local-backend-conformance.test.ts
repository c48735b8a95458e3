import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LocalBackend } from '@cooperbench/backend-local'
import { afterAll } from 'vitest'
import { bubblewrapProblem, describeBackendConformance } from '../src/index.js'

/**
 * The embedded `local` backend against the backend contract. It lives here rather than in
 * backend-local because testkit depends on backend-local (for `localTestSandboxes`): the
 * dependency runs one way, so the workspace has no cycle.
 */

// Without a working bubblewrap the suite is skipped, except in CI, where it must run (and fail loudly).
const skip = process.env.CI ? false : (bubblewrapProblem() ?? false)

// Each suite gets its own workspace root, removed afterwards.
const roots: string[] = []
afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true })
})

describeBackendConformance('local', {
  skip,
  createBackend: async () => {
    const root = await mkdtemp(join(tmpdir(), 'cb-local-conformance-'))
    roots.push(root)
    return new LocalBackend({ root })
  },
})
