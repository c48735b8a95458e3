import { levenshtein } from '@cooperbench/config'

/** Up to `limit` `candidates` the user likely meant by `typed`, best first: same but case, containing it (`jinja`), at small edit distance (`palets_click`). */
export function closeNames(typed: string, candidates: readonly string[], limit = 3): string[] {
  const needle = typed.toLowerCase()
  if (needle === '') return []
  const scored: Array<{ name: string; score: number }> = []
  for (const name of candidates) {
    const hay = name.toLowerCase()
    // A containment match is what people do most ("-r jinja"), so it outranks any edit distance.
    let score: number
    if (hay === needle) score = 0
    else if (hay.includes(needle) || needle.includes(hay)) score = 1
    else {
      const distance = levenshtein(needle, hay)
      const tolerance = Math.max(2, Math.floor(Math.max(needle.length, hay.length) / 4))
      if (distance > tolerance) continue
      score = 2 + distance
    }
    scored.push({ name, score })
  }
  return scored
    .sort((a, b) => a.score - b.score || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .slice(0, limit)
    .map((entry) => entry.name)
}
