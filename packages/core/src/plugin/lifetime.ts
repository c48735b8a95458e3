import type { Sandbox } from '@cooperbench/spec'
import { supervise } from '../util/supervise.js'

/** The longest the harness waits for one resource (a sandbox's terminate) when a scope closes. */
const RELEASE_TIMEOUT_MS = 2 * 60_000

interface OwnedResource {
  name: string
  release(): Promise<void> | void
}

/** Owns what a scope started (sandboxes, git remotes, bus namespaces, timers) and releases it newest first when the scope is disposed. */
export class Lifetime {
  private readonly resources: OwnedResource[] = []
  private disposing: Promise<void> | null = null

  get disposed(): boolean {
    return this.disposing !== null
  }

  /** Registers a resource; if the scope is already gone, releases it at once. */
  own(name: string, release: () => Promise<void> | void): void {
    if (this.disposing) {
      void Promise.resolve()
        .then(release)
        .catch(() => {})
      return
    }
    this.resources.push({ name, release })
  }

  ownSandbox(sandbox: Sandbox): Sandbox {
    this.own(`sandbox ${sandbox.id}`, () => sandbox.terminate())
    return sandbox
  }

  dispose(): Promise<void> {
    this.disposing ??= (async () => {
      const errors: unknown[] = []
      while (this.resources.length > 0) {
        const resource = this.resources.pop()!
        // A release that hangs (a backend whose terminate never returns) must not hang the scope.
        const released = await supervise({ run: async () => resource.release(), timeoutMs: RELEASE_TIMEOUT_MS, graceMs: 0 })
        if (released.kind === 'rejected') errors.push(released.error)
        else if (released.kind === 'abandoned') errors.push(new Error(`releasing ${resource.name} did not finish within ${RELEASE_TIMEOUT_MS / 1000} s`))
      }
      if (errors.length > 0) throw new AggregateError(errors, `failed to release ${errors.length} resource(s)`)
    })()
    return this.disposing
  }
}
