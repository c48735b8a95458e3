import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { AgreementTable } from '../../src/statistics/paired-statistics.js'
import { quantile, relativeDeficitInterval } from '../../src/statistics/relative-deficit.js'

const table = (bothPass: number, soloOnly: number, coopOnly: number, neither: number): AgreementTable => ({ bothPass, soloOnly, coopOnly, neither })

/**
 * Exact posterior quantiles by numerical integration (relative-deficit-reference.py, scipy quad +
 * brentq; no sampling), recorded here so the check runs where scipy is not installed; the last
 * test recomputes them live where it is.
 */
const REFERENCE: Array<{ cells: [number, number, number, number]; low: number; high: number }> = [
  { cells: [2, 0, 0, 2], low: -1.327667, high: 0.570385 },
  { cells: [8, 6, 2, 11], low: -0.132789, high: 0.566934 },
  { cells: [6, 0, 0, 6], low: -0.396491, high: 0.28392 },
  { cells: [0, 3, 0, 4], low: -0.115347, high: 0.992766 },
  { cells: [59, 6, 16, 80], low: -0.326301, high: -0.013552 },
  { cells: [1, 0, 0, 0], low: -2.826859, high: 0.738689 },
]

/** sha256 of relative-deficit-reference.py when REFERENCE was computed with it. */
const REFERENCE_SCRIPT_SHA256 = '90baa7874e8e3d7719e0710a10ba1b0cf1e466acc1e9f56d8f3057b5b0abec87'

/** Monte Carlo error of 40,000 draws at a 2.5% quantile: about a point, a few percent of the bound in the long lower tail. */
const tolerance = (bound: number) => 0.015 + 0.03 * Math.abs(bound)

describe('relativeDeficitInterval (Jeffreys prior, Dirichlet posterior)', () => {
  it('has width when every pair agrees: 4 teams that all agree do not make a [0%, 0%] interval', () => {
    const r = relativeDeficitInterval(table(2, 0, 0, 2))
    expect(r.value).toBe(0)
    expect(r.low!).toBeLessThan(-1)
    expect(r.high!).toBeGreaterThan(0.5)
    // More agreeing pairs narrow it, never to nothing.
    const more = relativeDeficitInterval(table(60, 0, 0, 60))
    expect(more.high! - more.low!).toBeLessThan(r.high! - r.low!)
    expect(more.high! - more.low!).toBeGreaterThan(0.02)
  })

  it('matches the exact posterior quantiles (scipy integration) within Monte Carlo error', () => {
    for (const { cells, low, high } of REFERENCE) {
      const r = relativeDeficitInterval(table(...cells))
      expect(r.value).toBeCloseTo((cells[1] - cells[2]) / (cells[0] + cells[1]), 12)
      expect(Math.abs(r.low! - low), `low of ${cells}`).toBeLessThan(tolerance(low))
      // Coop passed nothing: the estimate 1 is the boundary and the upper bound is 1.
      if (cells[0] + cells[2] === 0) expect(r.high).toBe(1)
      else expect(Math.abs(r.high! - high), `high of ${cells}`).toBeLessThan(tolerance(high))
    }
  })

  it('is not estimable when solo passed no pair, and says why', () => {
    const r = relativeDeficitInterval(table(0, 0, 2, 5))
    expect(r).toMatchObject({ value: null, low: null, high: null })
    expect(r.notEstimable).toMatch(/solo passed no pair/)
  })

  it('is repeatable for a seed and contains its estimate', () => {
    const first = relativeDeficitInterval(table(8, 6, 2, 11))
    expect(relativeDeficitInterval(table(8, 6, 2, 11))).toEqual(first)
    expect(relativeDeficitInterval(table(8, 6, 2, 11), 7)).not.toEqual(first)
    expect(first.low!).toBeLessThan(first.value!)
    expect(first.high!).toBeGreaterThan(first.value!)
    expect(first).toMatchObject({ method: 'jeffreys-dirichlet', draws: 40_000 })
  })

  it('interpolates quantiles like R type 7', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5)
    expect(quantile([1, 2, 3, 4], 0.025)).toBeCloseTo(1.075, 10)
    expect(quantile([], 0.5)).toBeNull()
  })

  // The reference script took 24 s of CPU per suite run (numerical integration of six tables) to
  // recompute the numbers recorded above, which change only when the script does. So the suite holds
  // the script to the digest it had when they were recorded (an edit fails here), and the live run is
  // on demand: COOPERBENCH_SCIPY_REFERENCE=1 pnpm exec vitest run --project unit <this file>.
  const script = fileURLToPath(new URL('./relative-deficit-reference.py', import.meta.url))
  it("the recorded quantiles are the reference script's: the script is the one they were computed with", () => {
    const digest = createHash('sha256').update(readFileSync(script)).digest('hex')
    expect(digest, 'relative-deficit-reference.py changed: run it (COOPERBENCH_SCIPY_REFERENCE=1, below), update REFERENCE and this digest').toBe(
      REFERENCE_SCRIPT_SHA256,
    )
  })

  const scipy = process.env.COOPERBENCH_SCIPY_REFERENCE === '1' && spawnSync('python3', ['-c', 'import scipy'], { stdio: 'ignore' }).status === 0
  it.runIf(scipy)(
    'agrees with the reference script run now (python3 + scipy)',
    () => {
      const run = spawnSync('python3', [script], { input: JSON.stringify(REFERENCE.map((r) => r.cells)), encoding: 'utf8' })
      expect(run.status, run.stderr).toBe(0)
      const live = JSON.parse(run.stdout) as Array<[number, number]>
      live.forEach(([low, high], i) => {
        expect(low).toBeCloseTo(REFERENCE[i]!.low, 5)
        expect(high).toBeCloseTo(REFERENCE[i]!.high, 5)
      })
      // Numerical integration of six tables takes a while on a busy machine: a bound, not a measure.
    },
    600_000,
  )
})
