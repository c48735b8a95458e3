import { availableParallelism } from 'node:os'
import { describe, expect, it } from 'vitest'
import { coresFromEnvironment, TestRunSlots } from '../../src/runner/test-run-slots.js'

describe('test run slots', () => {
  it('grants slots while cores are free; a held slot counts even past the capacity; a release frees one once', () => {
    const slots = new TestRunSlots(2)
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

  it('takes its capacity from COOPERBENCH_TEST_RUN_CORES when that is a positive whole number', () => {
    expect(coresFromEnvironment('1')).toBe(1)
    expect(coresFromEnvironment('16')).toBe(16)
    for (const value of [undefined, '', '0', '-2', '1.5', 'many']) expect(coresFromEnvironment(value)).toBe(availableParallelism())
  })
})
