import { spawnSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Sandbox, SandboxSpec, Task } from '@cooperbench/core'
import { LocalBackend, SYSTEM_ONLY_ROOT } from '@cooperbench/backend-local'

/**
 * Real sandboxes for an agent's tests, from the embedded `local` backend (bubblewrap), so an
 * agent author needs no backend of their own:
 *
 * ```ts
 * const sandboxes = localTestSandboxes()
 * afterAll(() => sandboxes.close())
 * describeAgentConformance('my-agent', { skip: sandboxes.skip, createSandbox: sandboxes.create, … })
 * ```
 */
export interface LocalTestSandboxes {
  /** Why sandboxes cannot be made here (no usable bwrap), or false. Always false under `CI`: there they must run. */
  readonly skip: string | false
  /**
   * A sandbox of `task` at its base commit (the task must ship a repo bundle, as fixture tasks do);
   * `spec` adds to what it is created with (a team's `sharedDirs`, its `role`).
   */
  create(task: Task, spec?: Partial<Pick<SandboxSpec, 'role' | 'sharedDirs'>>): Promise<Sandbox>
  /** Terminates every sandbox still open and removes their folders. */
  close(): Promise<void>
}

export function localTestSandboxes(settings: { network?: boolean } = {}): LocalTestSandboxes {
  let backend: Promise<{ backend: LocalBackend; root: string }> | undefined
  return {
    skip: process.env.CI ? false : (bubblewrapProblem() ?? false),
    async create(task, spec = {}) {
      backend ??= mkdtemp(join(tmpdir(), 'cb-test-sandboxes-')).then((root) => ({ backend: new LocalBackend({ root, ...settings }), root }))
      const { backend: local } = await backend
      return local.createSandbox({ task, image: 'local', role: 'solo', labels: {}, ...spec })
    },
    async close() {
      const open = await backend
      backend = undefined
      if (!open) return
      await open.backend.close()
      await rm(open.root, { recursive: true, force: true })
    },
  }
}

let probed: string | null | undefined
/**
 * Why the local backend cannot make sandboxes here, or null when it can: bubblewrap missing, or
 * present but unable to build a sandbox (no unprivileged user namespaces). Probed once.
 */
export function bubblewrapProblem(): string | null {
  if (probed !== undefined) return probed
  // Only the system's folders: with the whole root, a container stopping during the probe could fail it.
  const probe = spawnSync('bwrap', [...SYSTEM_ONLY_ROOT, '--dev', '/dev', '--proc', '/proc', '--unshare-pid', 'true'], { encoding: 'utf8', timeout: 10_000 })
  if (probe.error && (probe.error as NodeJS.ErrnoException).code === 'ENOENT') probed = 'bubblewrap (bwrap) is not installed'
  else
    probed =
      probe.status === 0
        ? null
        : `bubblewrap cannot create a sandbox here (user namespaces unavailable?): ${(probe.stderr || probe.error?.message || '').trim()}`
  return probed
}
