import { seconds } from '../format.ts'

/** Nice tick intervals, seconds. */
const TICK_STEPS = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400]
/** Pixels between two ticks at least: room for a label like `+12m 30s`. */
const TICK_SPACING = 80

/** Ticks over the whole span, spaced for the plot's width in pixels: zooming in gives finer ticks, never fewer per screen. */
export function ticks(span: number, plotPixels: number): number[] {
  const every = TICK_STEPS.find((s) => (s / span) * plotPixels >= TICK_SPACING) ?? TICK_STEPS.at(-1)!
  const found: number[] = []
  for (let i = 0; i * every <= span + 1e-9; i++) found.push(Number((i * every).toFixed(3)))
  return found
}

export function formatTick(t: number): string {
  return t === 0 ? '0' : `+${seconds(t)}`
}
