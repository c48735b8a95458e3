import { seconds } from '../format.ts'

/** Nice tick intervals, seconds. */
const TICK_STEPS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400]
/** Pixels between two ticks at least: room for a label like `+12m 30s`. */
const TICK_SPACING = 80

/** Ticks over the whole span, spaced for the plot's width in pixels: zooming in gives finer ticks, never fewer per screen. */
export function ticks(span: number, plotPixels: number): number[] {
  const every = TICK_STEPS.find((s) => (s / span) * plotPixels >= TICK_SPACING) ?? TICK_STEPS.at(-1)!
  const found: number[] = []
  for (let i = 0; i * every <= span + 1e-9; i++) found.push(Number((i * every).toFixed(3)))
  return found
}

/** `+1.50 s`, `+12.5 s`, `+2 min 30 s`, with the decimals a tick needs below two minutes (a zoomed short pair ticks < 0.01 s apart). */
export function formatTick(t: number): string {
  if (t === 0) return '0'
  const exact = (d: number) => Math.abs(t * 10 ** d - Math.round(t * 10 ** d)) < 1e-6
  const needed = [0, 1, 2, 3].find(exact) ?? 3
  if (t < 120) return `+${t.toFixed(Math.max(needed, t < 10 ? 2 : 1))} s`
  if (needed === 0) return `+${seconds(t)}`
  return `+${Math.floor(t / 60)} min ${(t % 60).toFixed(needed)} s`
}
