import { describe, expect, it } from 'vitest'
import { wilsonInterval } from '../../src/statistics/confidence.js'
import { binomialHalfCdf, mcnemarExact, newcombePairedInterval } from '../../src/statistics/paired-statistics.js'

describe('newcombePairedInterval (Newcombe 1998, method 10)', () => {
  it('reproduces the published interval for Cavo et al. (Fagerland, Lydersen & Laake): −0.0621 [−0.1186, −0.0046]', () => {
    // Rows: before consolidation (yes/no); columns: after. 59, 6 / 16, 80.
    const d = newcombePairedInterval({ bothPass: 59, soloOnly: 6, coopOnly: 16, neither: 80 })
    expect(d.difference).toBeCloseTo(-0.0621, 4)
    expect(d.low).toBeCloseTo(-0.1186, 4)
    expect(d.high).toBeCloseTo(-0.0046, 4)
  })

  it('is narrower than the unpaired interval when the runs agree on most pairs', () => {
    const paired = newcombePairedInterval({ bothPass: 8, soloOnly: 2, coopOnly: 1, neither: 16 })
    // Newcombe's hybrid score interval of two independent samples (his method 10's unpaired form), from their Wilson intervals.
    const [a, b] = [wilsonInterval(10, 27), wilsonInterval(9, 27)]
    const [p1, p2] = [10 / 27, 9 / 27]
    const difference = p1 - p2
    const [below, above] = [Math.hypot(p1 - a.low, b.high - p2), Math.hypot(a.high - p1, p2 - b.low)]
    const unpaired = { difference, low: difference - below, high: difference + above }
    expect(paired.difference).toBeCloseTo(unpaired.difference, 10)
    expect(paired.high - paired.low).toBeLessThan(unpaired.high - unpaired.low)
  })

  it('stays inside [−1, 1] and is defined at the edges', () => {
    const all = newcombePairedInterval({ bothPass: 0, soloOnly: 5, coopOnly: 0, neither: 0 })
    expect(all.difference).toBe(1)
    expect(all.high).toBe(1)
    expect(all.low).toBeGreaterThan(0)
    const same = newcombePairedInterval({ bothPass: 5, soloOnly: 0, coopOnly: 0, neither: 5 })
    expect(same.difference).toBe(0)
    expect(same.low).toBeLessThan(0)
    expect(same.high).toBeGreaterThan(0)
    expect(newcombePairedInterval({ bothPass: 0, soloOnly: 0, coopOnly: 0, neither: 0 })).toEqual({ difference: 0, low: -1, high: 1 })
  })
})

describe('mcnemarExact', () => {
  it('gives the exact conditional p of Bentur et al. (1 vs 7 discordant): 0.0703', () => {
    expect(mcnemarExact({ bothPass: 1, soloOnly: 1, coopOnly: 7, neither: 12 }).pValue).toBeCloseTo(0.0703125, 7)
  })

  it('gives the exact conditional p of Cavo et al. (6 vs 16 discordant): 0.0525', () => {
    const test = mcnemarExact({ bothPass: 59, soloOnly: 6, coopOnly: 16, neither: 80 })
    expect(test.pValue).toBeCloseTo(0.0524788, 6)
    expect(test.discordant).toBe(22)
    expect(test.method).toBe('exact binomial')
  })

  it('is 1 with no discordant pair and at a perfect balance', () => {
    expect(mcnemarExact({ bothPass: 3, soloOnly: 0, coopOnly: 0, neither: 3 }).pValue).toBe(1)
    expect(mcnemarExact({ bothPass: 0, soloOnly: 4, coopOnly: 4, neither: 0 }).pValue).toBe(1)
  })

  it('sums the binomial tail without overflow for thousands of discordant pairs', () => {
    expect(binomialHalfCdf(1000, 2000)).toBeCloseTo(0.5089, 3)
    expect(binomialHalfCdf(5, 5)).toBe(1)
  })
})
