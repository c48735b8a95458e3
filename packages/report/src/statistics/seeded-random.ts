/**
 * mulberry32: a small seeded generator of uniforms in [0, 1) with a fixed definition, so one seed
 * gives the same numbers on every machine and Node version (which `Math.random` does not promise):
 * the posterior draws of the relative deficit's interval and `verify --rerun`'s draw of pairs.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}
