import semver from 'semver'

/**
 * Reads a plugin's `coreRange` as npm does (node-semver, default options: a pre-release of core
 * satisfies a range only when the range names a pre-release of the same version). Throws an
 * Error naming the range when it is not one.
 */
export function parseCoreRange(range: unknown): semver.Range {
  if (typeof range !== 'string') throw new Error(`coreRange must be a string, got ${typeof range}`)
  if (semver.validRange(range) === null) throw new Error(`"${range}" is not a semver range`)
  return new semver.Range(range)
}

/**
 * `inside` when `version` satisfies `range`; `below` when every version it allows is higher
 * (the plugin is newer than this core), `above` when every one is lower (the plugin is older),
 * else `between` (a gap between `||` alternatives, or an excluded pre-release).
 */
export function positionInRange(version: string, range: semver.Range): 'inside' | 'below' | 'above' | 'between' {
  if (semver.satisfies(version, range)) return 'inside'
  if (semver.ltr(version, range)) return 'below'
  if (semver.gtr(version, range)) return 'above'
  return 'between'
}
