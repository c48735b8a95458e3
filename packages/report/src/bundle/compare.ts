import type { EvalRecord } from '@cooperbench/spec'
import { featureVerdicts } from '@cooperbench/spec-utils/records'
import { isObject } from '@cooperbench/results'

/** The first difference between a bundled verdict and its re-evaluation (verdicts, test counts, merge, merged diff; not test output), or null. */
export function verdictDifference(bundled: EvalRecord, again: EvalRecord): string | null {
  const pairs: Array<[string, unknown, unknown]> = [
    ['both_passed', bundled.both_passed, again.both_passed],
    ['error', bundled.error === null ? null : 'an error', again.error === null ? null : `an error (${again.error})`],
  ]
  const before = featureVerdicts(bundled)
  const after = featureVerdicts(again)
  pairs.push(['features', before.length, after.length])
  for (const [i, verdict] of before.entries()) {
    const other = after[i]
    for (const key of ['feature_id', 'passed', 'tests_passed', 'tests_failed'] as const) pairs.push([`feature${i + 1}.${key}`, verdict[key], other?.[key]])
  }
  pairs.push(['merge.status', bundled.merge?.status ?? null, again.merge?.status ?? null])
  pairs.push(['merge.strategy', bundled.merge?.strategy ?? null, again.merge?.strategy ?? null])
  if (typeof bundled.merge?.diff === 'string' && typeof again.merge?.diff === 'string' && bundled.merge.diff !== again.merge.diff) {
    return 'merge.diff: the merged patch the bundle was judged on is not the merge of its patches'
  }
  for (const [field, a, b] of pairs) if (!Object.is(a, b)) return `${field} is ${shortJson(a)} in the bundle, ${shortJson(b)} when evaluated again`
  return null
}

/** The path (`settings[0].rate`, `deficit.ci.low`) of the first figure differing when recomputed, or null; `dir` paths are skipped. */
export function figureDifference(bundled: unknown, again: unknown, path = ''): string | null {
  if (Array.isArray(bundled) || Array.isArray(again)) {
    if (!Array.isArray(bundled) || !Array.isArray(again)) return `${path || 'report'} is ${shortJson(bundled)} in the bundle, ${shortJson(again)} recomputed`
    if (bundled.length !== again.length) return `${path || 'report'} has ${bundled.length} entries in the bundle, ${again.length} recomputed`
    for (const [i, item] of bundled.entries()) {
      const found = figureDifference(item, again[i], `${path}[${i}]`)
      if (found) return found
    }
    return null
  }
  if (isObject(bundled) && isObject(again)) {
    for (const key of new Set([...Object.keys(bundled), ...Object.keys(again)])) {
      if (key === 'dir') continue
      const found = figureDifference(bundled[key], again[key], path ? `${path}.${key}` : key)
      if (found) return found
    }
    return null
  }
  return Object.is(bundled, again) ? null : `${path} is ${shortJson(bundled)} in the bundle, ${shortJson(again)} recomputed`
}

/** A value as JSON, cut to 80 characters: how a bundle's messages quote what they compare. */
export function shortJson(value: unknown): string {
  const text = JSON.stringify(value) ?? 'absent'
  return text.length > 80 ? `${text.slice(0, 77)}…` : text
}
