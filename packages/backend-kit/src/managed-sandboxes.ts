import { setTimeout as sleep } from 'node:timers/promises'
import { CooperbenchError } from '@cooperbench/spec'
import { getOrCreate } from '@cooperbench/spec-utils'

/** A sandbox that can be terminated (idempotently). */
export interface Terminable {
  terminate(): Promise<void>
}

/** A sandbox as the provider lists it: its id and labels (or tags). */
export interface ListedSandbox {
  id: string
  labels: Record<string, string>
}

/** Which leftover sandboxes a backend's `reap` removes. */
export interface ReapFilter {
  /** Only sandboxes labelled with this run name. */
  runName?: string
  /** Also remove sandboxes whose creating process still runs (or runs on another host); by default only leftovers of processes known to be gone. */
  includeLive?: boolean
}

/** What `reap` needs to know about the listed sandboxes besides what the set tracks. */
export interface ReapRules<E extends ListedSandbox> {
  /** As {@link ReapFilter.includeLive}; open sandboxes of this backend included. */
  includeLive?: boolean | undefined
  /** Whether this very process created it (then an untracked one is a leftover, e.g. a failed removal). */
  isCurrent(entry: E): boolean
  /** Whether its creator still runs: true, false, or null when that cannot be known (another host). */
  isAlive(entry: E): boolean | null
  /** Removes the stale ones; returns how many it removed (those already gone not counted). */
  remove(stale: E[]): Promise<number>
}

/** How long `close` waits for aborted creations to clean up: they react within moments; the bound stops one ignoring the abort from holding the process. */
const CREATIONS_CLOSE_WAIT_MS = 30_000

/** The error of a call on a sandbox that has been terminated. */
export function terminatedSandboxError(sandboxId: string): CooperbenchError {
  return new CooperbenchError('SANDBOX_FAILED', `sandbox ${sandboxId} has been terminated`, {
    hint: 'Create a new sandbox; a terminated one cannot run commands.',
  })
}

/** Ids of sandboxes open or being created in this process, per backend name: other backends' `reap` spares them. */
const inUseInThisProcess = new Map<string, Set<string>>()

/** One backend's open and creating sandboxes, the lifetime `close` ends, and how `reap` and `listSandboxes` tell a leftover from one in use. */
export class ManagedSandboxes<S extends Terminable> {
  private readonly lifetime = new AbortController()
  private readonly live = new Map<string, S>()
  private readonly creating = new Set<string>()
  /** The creations in flight, which `close` waits for once it has aborted them. */
  private readonly inFlight = new Set<Promise<unknown>>()
  private readonly processWide: Set<string>

  constructor(readonly backendName: string) {
    this.processWide = getOrCreate(inUseInThisProcess, backendName, () => new Set())
  }

  /** Aborted by `close`: for work that outlives one creation (image builds, clones). */
  get signal(): AbortSignal {
    return this.lifetime.signal
  }

  get closed(): boolean {
    return this.lifetime.signal.aborted
  }

  /** The error of a creation on a closed backend. */
  closedError(): CooperbenchError {
    return new CooperbenchError('SANDBOX_FAILED', `backend "${this.backendName}" has been closed`, {
      hint: 'Create a new backend; a closed one starts no sandboxes.',
    })
  }

  /** The signal a creation runs under: the caller's and the backend's lifetime; throws once closed. */
  creationSignal(signal?: AbortSignal): AbortSignal {
    if (this.closed) throw this.closedError()
    return signal ? AbortSignal.any([signal, this.lifetime.signal]) : this.lifetime.signal
  }

  /** Runs the creation of sandbox `id`; meanwhile `reap` spares it and `listSandboxes` calls its owner alive. */
  async whileCreating<T>(id: string, create: () => Promise<T>): Promise<T> {
    this.creating.add(id)
    this.processWide.add(id)
    try {
      return await this.track(create())
    } finally {
      this.creating.delete(id)
      if (!this.live.has(id)) this.processWide.delete(id)
    }
  }

  /** Work of a creation that `close`, once it aborted it, waits for before terminating the open sandboxes. */
  track<T>(creation: Promise<T>): Promise<T> {
    this.inFlight.add(creation)
    void creation.finally(() => this.inFlight.delete(creation)).catch(() => {})
    return creation
  }

  /** Tracks an open sandbox until {@link forget} (its `onTerminated`) or `close`. */
  add(id: string, sandbox: S): void {
    this.live.set(id, sandbox)
    this.processWide.add(id)
  }

  /** Stops tracking a sandbox that is gone. */
  forget(id: string): void {
    this.live.delete(id)
    if (!this.creating.has(id)) this.processWide.delete(id)
  }

  get(id: string): S | undefined {
    return this.live.get(id)
  }

  /** Whether this backend has the sandbox open or is creating it. */
  has(id: string): boolean {
    return this.live.has(id) || this.creating.has(id)
  }

  /** Whether its owner is alive as `listSandboxes` reports it: true for this backend's own, else what the labels say. */
  ownerAlive(id: string, fromLabels: () => boolean | null): boolean | null {
    return this.has(id) ? true : fromLabels()
  }

  /**
   * Removes (and counts) listed sandboxes nobody uses: those whose creator is gone and this process's own that no backend tracks;
   * with `includeLive`, every one (this backend's open ones terminated). Sandboxes being created are spared.
   */
  async reap<E extends ListedSandbox>(listed: E[], rules: ReapRules<E>): Promise<number> {
    let removed = 0
    const stale: E[] = []
    for (const entry of listed) {
      if (this.creating.has(entry.id)) continue
      const sandbox = this.live.get(entry.id)
      if (sandbox) {
        if (!rules.includeLive) continue
        await sandbox.terminate()
        removed++
        continue
      }
      if (!rules.includeLive) {
        // Another backend of this process may be using it.
        if (this.processWide.has(entry.id)) continue
        if (!rules.isCurrent(entry) && rules.isAlive(entry) !== false) continue
      }
      stale.push(entry)
    }
    if (stale.length > 0) removed += await rules.remove(stale)
    return removed
  }

  /**
   * Ends the lifetime (creations abort), waits for `settle` (work shared between creations) and the aborted creations' cleanup,
   * then terminates every open sandbox: a CLI exiting right after (early Ctrl+C) leaves no process or half-made workspace.
   */
  async close(settle?: () => Promise<unknown>): Promise<void> {
    this.lifetime.abort(this.closedError())
    await settle?.()
    if (this.inFlight.size > 0) {
      await Promise.race([Promise.allSettled([...this.inFlight]), sleep(CREATIONS_CLOSE_WAIT_MS, undefined, { ref: false })])
    }
    await Promise.allSettled([...this.live.values()].map((sandbox) => sandbox.terminate()))
  }
}
