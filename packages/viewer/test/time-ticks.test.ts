import { describe, expect, it } from 'vitest'
import { formatTick, ticks } from '../app/src/pair/time-ticks.ts'

/** The timeline's ticks: at every zoom, a visible stretch of the plot has ticks, never closer than 80 px. */
describe('timeline ticks', () => {
  for (const span of [0.3, 1.5, 24, 200, 600, 7200]) {
    for (const zoom of [1, 2, 4, 8, 16, 32]) {
      it(`a ${span} s pair at ${zoom}×: at least two ticks in any 600 px window, 80 px apart or more, distinct labels`, () => {
        const plot = 1200 * zoom
        const found = ticks(span, plot)
        const px = found.map((t) => (t / span) * plot)
        const gaps = px.slice(1).map((x, i) => x - px[i]!)
        expect(Math.min(...gaps)).toBeGreaterThanOrEqual(80 - 1e-6)
        // The widest gap is at most 2.5 × 80 px (a 1-2-5 step), so any 600 px window holds two ticks.
        expect(Math.max(...gaps)).toBeLessThanOrEqual(250)
        const labels = found.map(formatTick)
        expect(new Set(labels).size).toBe(labels.length)
      })
    }
  }
})
