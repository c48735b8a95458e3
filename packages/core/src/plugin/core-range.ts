import semver from 'semver'

/**
 * A plugin's `coreRange` as npm reads it (node-semver defaults: a core pre-release satisfies only a range naming a
 * pre-release of its version). Throws an Error naming the range when it is not one.
 */
export function parseCoreRange(range: unknown): semver.Range {
  if (typeof range !== 'string') throw new Error(`coreRange must be a string, got ${typeof range}`)
  if (semver.validRange(range) === null) throw new Error(`"${range}" is not a semver range`)
  return new semver.Range(range)
}

/**
 * `inside` when `version` satisfies `range`; `below` when all it allows is higher (a newer plugin), `above` when lower
 * (an older one), else `between` (a gap between `||` alternatives, an excluded pre-release).
 */
export function positionInRange(version: string, range: semver.Range): 'inside' | 'below' | 'above' | 'between' {
  if (semver.satisfies(version, range)) return 'inside'
  if (semver.ltr(version, range)) return 'below'
  if (semver.gtr(version, range)) return 'above'
  return 'between'
}
