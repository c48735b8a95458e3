import type { Logger } from '@cooperbench/spec'
import type { VmConnection } from './ssh.js'

/** A VM of the pool and how many sandboxes it holds. */
export interface PooledVm {
  name: string
  connection: VmConnection
  used: number
}

/** A --git pair on a VM: its members there, and the places kept for members still to come. */
interface Group {
  members: number
  reserved: number
}

interface Entry {
  vm: PooledVm | null
  /** The --git pairs whose sandboxes must share this VM. */
  groups: Map<string, Group>
  /** Settles when the VM is ready (or its creation failed). */
  ready: Promise<void>
  /** Places taken, reservations included. */
  used: number
  lost: boolean
}

export interface VmPoolSettings {
  poolSize: number
  /** Sandboxes per VM. */
  capacity: number
  /** Creates a VM and connects to it. */
  create(signal: AbortSignal): Promise<{ name: string; connection: VmConnection }>
  /** Deletes a VM (already-gone is fine). */
  destroy(name: string): Promise<void>
  logger: Logger
}

/**
 * The run's VMs: a sandbox goes onto a VM with room (one being created counts), a new VM is
 * created while fewer than `poolSize` exist, else the sandbox waits (`SandboxSpec.waitingForPlace`).
 * Idle VMs stay until the pool closes.
 */
export class VmPool {
  private readonly entries: Entry[] = []
  private readonly waiters = new Set<() => void>()
  private closed = false
  /** Deletions of discarded VMs in flight. */
  private readonly discarding = new Set<Promise<unknown>>()
  /** Discarded VMs whose deletion failed: `close` tries again. */
  private readonly undeleted = new Set<string>()

  constructor(private readonly settings: VmPoolSettings) {}

  /**
   * A place on a VM until {@link release}. The first sandbox of a `group` (a --git pair, whose
   * remote is a folder on the VM) takes places for all `groupSize`, so its members never wait for
   * each other's.
   */
  async acquire(signal: AbortSignal, group?: string, groupSize = 1, waiting?: () => () => void): Promise<PooledVm> {
    const capacity = this.settings.capacity
    if (group !== undefined && groupSize > capacity) {
      throw new Error(`a --git pair of ${groupSize} agents needs more places on one VM than sandboxesPerVm (${capacity})`)
    }
    for (;;) {
      signal.throwIfAborted()
      if (this.closed) throw new Error('the VM pool is closed')
      const home = group === undefined ? undefined : this.entries.find((e) => !e.lost && e.groups.has(group))
      if (home) {
        const held = home.groups.get(group!)!
        if (held.reserved > 0) held.reserved--
        else if (home.used < capacity) home.used++
        else {
          await this.waitForRoom(signal, waiting)
          continue
        }
        held.members++
        return this.settle(home, () => this.leave(home, group, true))
      }
      const need = group === undefined ? 1 : groupSize
      const room = this.entries.find((e) => !e.lost && e.used + need <= capacity)
      if (room) {
        this.join(room, need, group)
        return this.settle(room, () => this.leave(room, group, true))
      }
      if (this.entries.filter((e) => !e.lost).length < this.settings.poolSize) {
        const entry: Entry = { vm: null, ready: Promise.resolve(), used: 0, lost: false, groups: new Map() }
        this.join(entry, need, group)
        entry.ready = this.settings.create(signal).then(
          ({ name, connection }) => {
            entry.vm = { name, connection, used: entry.used }
            this.settings.logger.debug(`gcp: VM ${name} joined the pool`)
          },
          (error: unknown) => {
            entry.lost = true
            this.entries.splice(this.entries.indexOf(entry), 1)
            this.wake()
            throw error
          },
        )
        this.entries.push(entry)
        await entry.ready
        return entry.vm!
      }
      await this.waitForRoom(signal, waiting)
    }
  }

  /** Gives a place back; true when it was the last of its pair on the VM (its shared files can go). */
  release(vm: PooledVm, group?: string): boolean {
    const entry = this.entries.find((e) => e.vm === vm)
    if (!entry) return false
    const last = this.leave(entry, group, false)
    vm.used = entry.used
    this.wake()
    return last
  }

  private join(entry: Entry, places: number, group: string | undefined): void {
    entry.used += places
    if (group !== undefined) entry.groups.set(group, { members: 1, reserved: places - 1 })
  }

  /** One member leaves (`failedJoin`: its acquire did not complete); a pair's last member frees its unused reservations. */
  private leave(entry: Entry, group: string | undefined, failedJoin: boolean): boolean {
    entry.used = Math.max(0, entry.used - 1)
    if (group === undefined) return false
    const held = entry.groups.get(group)
    if (!held) return false
    held.members--
    if (held.members > 0) return false
    entry.used = Math.max(0, entry.used - held.reserved)
    entry.groups.delete(group)
    if (failedJoin) this.wake()
    return true
  }

  /** Waits for a VM that is still being created; on failure or loss the place is given back and the error thrown. */
  private async settle(entry: Entry, undo: () => void): Promise<PooledVm> {
    try {
      await entry.ready
    } catch (error) {
      undo()
      throw error
    }
    if (entry.lost || !entry.vm) {
      undo()
      throw new Error('the VM was lost while it was being created')
    }
    entry.vm.used = entry.used
    return entry.vm
  }

  /** Takes a VM out of the pool (preempted, unreachable) and deletes it; `close` waits, and retries a failed deletion. */
  async discard(vm: PooledVm): Promise<void> {
    const entry = this.entries.find((e) => e.vm === vm)
    if (!entry || entry.lost) return
    entry.lost = true
    this.entries.splice(this.entries.indexOf(entry), 1)
    vm.connection.close()
    this.wake()
    const deleting = this.settings.destroy(vm.name).catch(() => this.undeleted.add(vm.name))
    this.discarding.add(deleting)
    await deleting
    this.discarding.delete(deleting)
  }

  /** VMs of the pool now. */
  names(): string[] {
    return this.entries.flatMap((e) => (e.vm ? [e.vm.name] : []))
  }

  /** Deletes every VM (waiting for creations in flight first). */
  async close(): Promise<void> {
    this.closed = true
    this.wake()
    await Promise.allSettled(this.entries.map((e) => e.ready))
    const vms = this.entries.flatMap((e) => (e.vm ? [e.vm] : []))
    this.entries.length = 0
    await Promise.allSettled(
      vms.map(async (vm) => {
        vm.connection.close()
        await this.settings.destroy(vm.name)
      }),
    )
    await Promise.allSettled([...this.discarding])
    const undeleted = [...this.undeleted]
    this.undeleted.clear()
    await Promise.allSettled(undeleted.map((name) => this.settings.destroy(name)))
  }

  /** Waits until a place may have freed; `waiting` is told of the wait (the harness's create deadline does not count it). */
  private waitForRoom(signal: AbortSignal, waiting?: () => () => void): Promise<void> {
    const resume = waiting?.()
    return new Promise((resolve) => {
      const wake = () => {
        this.waiters.delete(wake)
        signal.removeEventListener('abort', wake)
        resume?.()
        resolve()
      }
      this.waiters.add(wake)
      signal.addEventListener('abort', wake, { once: true })
    })
  }

  private wake(): void {
    for (const wake of [...this.waiters]) wake()
  }
}
