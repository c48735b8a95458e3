import { availableParallelism } from 'node:os'
import { describe, expect, it } from 'vitest'
import { slotsFromEnvironment, TestRunSlots } from '../../src/runner/test-run-slots.js'

describe('test run slots', () => {
  it('grants slots while cores are free; a held slot counts even past the capacity; a release frees one once', () => {
    const slots = new TestRunSlots(2, null)
    const own = slots.hold()
    const extra = slots.tryAcquire()
    expect(extra).not.toBeNull()
    expect(slots.tryAcquire()).toBeNull()
    const another = slots.hold() // a second evaluation always gets its own sandbox
    expect(slots.inUse).toBe(3)
    extra!()
    extra!()
    expect(slots.inUse).toBe(2)
    expect(slots.tryAcquire()).toBeNull()
    another()
    own()
    expect(slots.tryAcquire()).not.toBeNull()
  })

  it('counts other work on the machine: no slot while the load fills the cores', () => {
    let load = 1
    const slots = new TestRunSlots(2, () => load)
    const own = slots.hold()
    const first = slots.tryAcquire() // load 1 is this evaluation's own test run: one core is free
    expect(first).not.toBeNull()
    first!()
    load = 6 // other helpers' builds
    expect(slots.tryAcquire()).toBeNull()
    own()
  })

  it('COOPERBENCH_TEST_RUN_CORES=N: N cores whatever the load; anything else: the machine under its load', () => {
    expect(slotsFromEnvironment('1').capacity).toBe(1)
    const sixteen = slotsFromEnvironment('16')
    expect(sixteen.capacity).toBe(16)
    sixteen.hold()
    expect(sixteen.tryAcquire()).not.toBeNull()
    for (const value of [undefined, '', '0', '-2', '1.5', 'many']) expect(slotsFromEnvironment(value).capacity).toBe(availableParallelism())
  })
})
