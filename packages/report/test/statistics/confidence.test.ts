import { describe, expect, it } from 'vitest'
import { wilsonInterval } from '../../src/statistics/confidence.js'

describe('wilsonInterval', () => {
  it('matches the textbook value for 8 of 10', () => {
    const { low, high } = wilsonInterval(8, 10)
    expect(low).toBeCloseTo(0.4902, 3)
    expect(high).toBeCloseTo(0.9433, 3)
  })

  it('stays inside [0, 1] and is not degenerate at 0% and 100%', () => {
    const none = wilsonInterval(0, 20)
    const all = wilsonInterval(20, 20)
    expect(none.low).toBe(0)
    expect(none.high).toBeGreaterThan(0.1)
    expect(all.high).toBe(1)
    expect(all.low).toBeLessThan(0.9)
  })

  it('covers everything when there is no data', () => {
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 })
  })
})
