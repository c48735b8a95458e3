import type { Logger } from '@cooperbench/core'
import type { VmConnection } from './ssh.js'

/** A VM of the pool and how many sandboxes it holds. */
export interface PooledVm {
  name: string
  connection: VmConnection
  used: number
}

interface Entry {
  vm: PooledVm | null
  /** Groups (a --git team) whose sandboxes must share this VM, with how many places each holds. */
  groups: Map<string, number>
  /** Settles when the VM is ready (or its creation failed). */
  ready: Promise<void>
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
 * created while fewer than `poolSize` exist, otherwise the sandbox waits for a place. Idle VMs
 * stay for the run's next pairs and are deleted when the pool closes.
 */
export class VmPool {
  private readonly entries: Entry[] = []
  private readonly waiters = new Set<() => void>()
  private closed = false

  constructor(private readonly settings: VmPoolSettings) {}

  /**
   * A place on a VM, held until {@link release}. Sandboxes of one `group` (a --git team, whose
   * shared remote is a directory on the VM) all go onto the VM its first one got.
   */
  async acquire(signal: AbortSignal, group?: string): Promise<PooledVm> {
    for (;;) {
      signal.throwIfAborted()
      if (this.closed) throw new Error('the VM pool is closed')
      const home = group === undefined ? undefined : this.entries.find((e) => !e.lost && e.groups.has(group))
      if (home && home.used >= this.settings.capacity && [...home.groups.values()].reduce((a, b) => a + b, 0) >= this.settings.capacity) {
        throw new Error(`a --git team needs more places on one VM than sandboxesPerVm (${this.settings.capacity})`)
      }
      const room = home ? (home.used < this.settings.capacity ? home : undefined) : this.entries.find((e) => !e.lost && e.used < this.settings.capacity)
      if (room) {
        room.used++
        if (group !== undefined) room.groups.set(group, (room.groups.get(group) ?? 0) + 1)
        try {
          await room.ready
        } catch (error) {
          room.used--
          this.leaveGroup(room, group)
          throw error
        }
        if (room.lost || !room.vm) {
          room.used--
          this.leaveGroup(room, group)
          continue
        }
        room.vm.used = room.used
        return room.vm
      }
      if (!home && this.entries.filter((e) => !e.lost).length < this.settings.poolSize) {
        const entry: Entry = { vm: null, ready: Promise.resolve(), used: 1, lost: false, groups: new Map(group === undefined ? [] : [[group, 1]]) }
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
      await this.waitForRoom(signal)
    }
  }

  /** Gives a place back; returns true when it was the last of its group on the VM. */
  release(vm: PooledVm, group?: string): boolean {
    const entry = this.entries.find((e) => e.vm === vm)
    if (!entry) return false
    entry.used = Math.max(0, entry.used - 1)
    vm.used = entry.used
    const last = this.leaveGroup(entry, group)
    this.wake()
    return last
  }

  private leaveGroup(entry: Entry, group: string | undefined): boolean {
    if (group === undefined) return false
    const left = (entry.groups.get(group) ?? 1) - 1
    if (left > 0) entry.groups.set(group, left)
    else entry.groups.delete(group)
    return left <= 0
  }

  /** Takes a VM out of the pool (preempted, unreachable) and deletes it. */
  async discard(vm: PooledVm): Promise<void> {
    const entry = this.entries.find((e) => e.vm === vm)
    if (!entry || entry.lost) return
    entry.lost = true
    this.entries.splice(this.entries.indexOf(entry), 1)
    vm.connection.close()
    this.wake()
    await this.settings.destroy(vm.name).catch(() => {})
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
  }

  private waitForRoom(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        this.waiters.delete(wake)
        signal.removeEventListener('abort', wake)
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
