import semver from 'semver'

/** A `coreRange` as npm reads it (a core pre-release satisfies only a range naming a pre-release of its version); throws naming a non-range. */
export function parseCoreRange(range: unknown): semver.Range {
  if (typeof range !== 'string') throw new Error(`coreRange must be a string, got ${typeof range}`)
  if (semver.validRange(range) === null) throw new Error(`"${range}" is not a semver range`)
  return new semver.Range(range)
}

/** `below`: all `range` allows is higher (newer plugin); `above`: lower; `between`: a gap between `||` alternatives or an excluded pre-release. */
export function positionInRange(version: string, range: semver.Range): 'inside' | 'below' | 'above' | 'between' {
  if (semver.satisfies(version, range)) return 'inside'
  if (semver.ltr(version, range)) return 'below'
  if (semver.gtr(version, range)) return 'above'
  return 'between'
}
