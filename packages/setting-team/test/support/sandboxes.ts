import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { LocalBackend } from '@cooperbench/backend-local'
import { loadDataset } from '@cooperbench/dataset'
import type { Sandbox, SandboxSpec } from '@cooperbench/spec'

/** The repository's demo dataset: its first task's repository is what the sandboxes hold. */
const DEMO_DATASET = fileURLToPath(new URL('../../../../dataset', import.meta.url))

/**
 * Real sandboxes of the embedded `local` backend (bubblewrap) for the team commands' tests (the
 * testkit's are out of reach: the testkit depends on this package). `skip` says why none can be
 * made here; under CI they must be.
 */
export async function demoSandboxes() {
  const root = await mkdtemp(join(tmpdir(), 'cb-team-sandboxes-'))
  const backend = new LocalBackend({ root })
  const skip = process.env.CI
    ? false
    : await backend.preflight().then(
        () => false as const,
        (error: Error) => error.message,
      )
  return {
    skip,
    async create(spec: Partial<Pick<SandboxSpec, 'role' | 'sharedDirs'>> = {}): Promise<Sandbox> {
      const task = (await loadDataset(DEMO_DATASET)).tasks[0]!
      return backend.createSandbox({ task, image: 'local', role: 'solo', labels: {}, ...spec })
    },
    async close(): Promise<void> {
      await backend.close()
      await rm(root, { recursive: true, force: true })
    },
  }
}
