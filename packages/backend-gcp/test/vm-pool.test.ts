import { silentLogger } from '@cooperbench/spec-utils'
import { describe, expect, it } from 'vitest'
import type { VmConnection } from '../src/ssh.js'
import { VmPool } from '../src/vm-pool.js'

function pool(poolSize: number, capacity: number) {
  const created: string[] = []
  const destroyed: string[] = []
  const vms = new VmPool({
    poolSize,
    capacity,
    logger: silentLogger,
    create: async () => {
      await new Promise((r) => setTimeout(r, 20))
      const name = `vm-${created.length + 1}`
      created.push(name)
      return { name, connection: { close() {} } as unknown as VmConnection }
    },
    destroy: async (name) => {
      destroyed.push(name)
    },
  })
  return { vms, created, destroyed }
}

const settledWithin = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))])

describe('the VM pool', () => {
  it('packs places onto VMs up to capacity, creates VMs up to poolSize, then makes newcomers wait for a release', async () => {
    const { vms, created } = pool(2, 2)
    const signal = new AbortController().signal
    const four = await Promise.all([1, 2, 3, 4].map(() => vms.acquire(signal)))
    expect(created).toEqual(['vm-1', 'vm-2'])
    expect(four.map((vm) => vm.name).sort()).toEqual(['vm-1', 'vm-1', 'vm-2', 'vm-2'])
    const fifth = vms.acquire(signal)
    expect(await settledWithin(fifth, 100)).toBe(false)
    vms.release(four[0]!)
    expect((await fifth).name).toBe(four[0]!.name)
  })

  it('says when a sandbox waits for a place and when the wait ends (the harness does not count it against its create deadline)', async () => {
    const { vms } = pool(1, 1)
    const signal = new AbortController().signal
    const events: string[] = []
    const waiting = () => (events.push('waiting'), () => events.push('placed'))
    const first = await vms.acquire(signal, undefined, 1, waiting)
    expect(events).toEqual([])
    const second = vms.acquire(signal, undefined, 1, waiting)
    expect(await settledWithin(second, 100)).toBe(false)
    expect(events).toEqual(['waiting'])
    vms.release(first)
    await second
    expect(events).toEqual(['waiting', 'placed'])
  })

  it('keeps a --git pair on one VM and takes its places together, so pairs never wait for each other', async () => {
    const { vms } = pool(1, 4)
    const signal = new AbortController().signal
    // Four pairs of two arrive at once: two fit; each first member holds its peer's place.
    const firsts = ['a', 'b', 'c', 'd'].map((pair) => vms.acquire(signal, pair, 2))
    const a1 = await firsts[0]!
    const b1 = await firsts[1]!
    expect(await settledWithin(firsts[2]!, 100)).toBe(false)
    const a2 = await vms.acquire(signal, 'a', 2)
    const b2 = await vms.acquire(signal, 'b', 2)
    expect([a2.name, b2.name]).toEqual([a1.name, b1.name])
    expect(vms.release(a1, 'a')).toBe(false)
    expect(vms.release(a2, 'a')).toBe(true)
    const c1 = await firsts[2]!
    expect(await vms.acquire(signal, 'c', 2)).toBe(c1)
  })

  it('refuses a --git pair bigger than a VM, and deletes every VM on close', async () => {
    const { vms, destroyed } = pool(2, 2)
    const signal = new AbortController().signal
    await expect(vms.acquire(signal, 'big', 3)).rejects.toThrow(/pair of 3 agents needs more places on one VM than sandboxesPerVm \(2\)/)
    await vms.acquire(signal)
    await vms.close()
    expect(destroyed).toEqual(['vm-1'])
  })

  it('close waits for a discarded VM still being deleted, and deletes again one whose deletion failed', async () => {
    const destroyed: string[] = []
    let failNext = true
    let finishSlow: (() => void) | undefined
    let created = 0
    const vms = new VmPool({
      poolSize: 2,
      capacity: 1,
      logger: silentLogger,
      create: async () => ({ name: `vm-${++created}`, connection: { close() {} } as unknown as VmConnection }),
      destroy: async (name) => {
        if (name === 'vm-1' && failNext) {
          failNext = false
          throw new Error('503 from Compute')
        }
        if (name === 'vm-2' && finishSlow === undefined) await new Promise<void>((r) => (finishSlow = r))
        destroyed.push(name)
      },
    })
    const signal = new AbortController().signal
    const [one, two] = await Promise.all([vms.acquire(signal), vms.acquire(signal)])
    await vms.discard(one)
    void vms.discard(two)
    const closing = vms.close()
    expect(await settledWithin(closing, 100)).toBe(false)
    finishSlow!()
    await closing
    expect(destroyed.sort()).toEqual(['vm-1', 'vm-2'])
  })
})
