import { randomInt } from 'node:crypto'
import { mulberry32 } from '@cooperbench/report'

/** A seed for `drawPairs` when the verifier gives none: printed, so the same draw can be made again. */
export function freshSeed(): number {
  return randomInt(0, 2 ** 31)
}

/**
 * `count` items of `items` drawn without replacement, in draw order: a Fisher–Yates shuffle driven by
 * mulberry32 from `seed`, so one seed draws the same pairs on every machine and Node version (which
 * `Math.random` does not promise). All of them, shuffled, when `count` is larger.
 */
export function drawPairs<T>(items: readonly T[], count: number, seed: number): T[] {
  const next = mulberry32(seed)
  const pool = [...items]
  const drawn: T[] = []
  while (drawn.length < count && pool.length > 0) drawn.push(pool.splice(Math.floor(next() * pool.length), 1)[0]!)
  return drawn
}
