/** Edit distance (insertions, deletions, substitutions) between two strings. */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution))
    }
    previous = current
  }
  return previous[b.length] ?? 0
}

const normalise = (key: string) => key.toLowerCase().replace(/[-_]/g, '')

/** Same letters ignoring case, `_` and `-` (`dataset_dir` → `datasetDir`), else the closest within edit distance 2 (case-insensitive). */
export function suggestKey(key: string, candidates: Iterable<string>): string | undefined {
  let best: { candidate: string; distance: number } | undefined
  for (const candidate of candidates) {
    if (normalise(candidate) === normalise(key)) return candidate
    const distance = levenshtein(key.toLowerCase(), candidate.toLowerCase())
    // A distance as long as the key itself means "nothing in common", e.g. `x` → `ab`.
    if (distance <= 2 && distance < key.length && (!best || distance < best.distance)) best = { candidate, distance }
  }
  return best?.candidate
}

/** `Did you mean "x"? ` to start a hint with, or the empty string when no candidate is close. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const closest = suggestKey(name, candidates)
  return closest === undefined ? '' : `Did you mean "${closest}"? `
}
