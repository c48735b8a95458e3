import { describe, expect, it } from 'vitest'
import { GcpBackend } from '../src/index.js'
import { hourlyPrice } from '../src/pricing.js'

describe('GCP prices and the cost estimate', () => {
  it('prices predefined machine types from per-vCPU and per-GB rates (N1 shapes apart); unknown types have none', () => {
    expect(hourlyPrice('e2-standard-8')).toBeCloseTo(0.268, 3)
    expect(hourlyPrice('n2-standard-8')).toBeCloseTo(0.3885, 3)
    expect(hourlyPrice('c2-standard-8')).toBeCloseTo(0.4174, 3)
    expect(hourlyPrice('n1-standard-1')).toBeCloseTo(0.0475, 3)
    expect(hourlyPrice('e2-highmem-2')).toBeCloseTo(0.0904, 3)
    expect(hourlyPrice('a3-megagpu-8g')).toBeNull()
    expect(hourlyPrice('custom-4-16384')).toBeNull()
  })

  it('estimates at most every sandbox living its time limit, packed per VM, and names the price source', () => {
    const backend = new GcpBackend({ project: 'p', machineType: 'e2-standard-8', sandboxesPerVm: 4 })
    const estimate = backend.estimateCost({ sandboxes: 652 * 3, sandboxMs: 30 * 60_000, concurrency: 50 })!
    expect(estimate.usd).toBeCloseTo(Math.ceil(1956 / 4) * 0.5 * hourlyPrice('e2-standard-8')!, 6)
    expect(estimate.detail).toMatch(
      /^244\.5 VM-hours of e2-standard-8 at \$0\.2680\/h: 1956 sandboxes, 4 per VM, the agents' time limit of 30 min each; cloud\.google\.com\/compute\/vm-instance-pricing/,
    )
    expect(new GcpBackend({ project: 'p' }).estimateCost({ sandboxes: 4, sandboxMs: null, concurrency: 1 })!.detail).toMatch(
      /an hour each \(no agent time limit is set\)/,
    )
    expect(new GcpBackend({ project: 'p', machineType: 'custom-4-16384' }).estimateCost({ sandboxes: 4, sandboxMs: null, concurrency: 1 })).toBeNull()
  })

  it('measures no VM-seconds before any VM exists', () => {
    expect(new GcpBackend({ project: 'p' }).usage()).toEqual({ vm_seconds: 0, vm_cost_usd: 0 })
  })
})
