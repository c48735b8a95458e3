import type { AgreementTable, Deficit, PairSummary } from '../../src/model.ts'

/** A cell of the 2×2 agreement table: which of the two runs passed a common pair. */
export type AgreementCell = keyof AgreementTable

export const CELL_NAMES: Record<AgreementCell, string> = {
  bothPass: 'both passed',
  soloOnly: 'solo passed, coop failed',
  coopOnly: 'coop passed, solo failed',
  neither: 'both failed',
}

/** One solo run × coop run comparison, as the pair list's `cmp` parameter names it: `solo|coop|teamSize`. */
export function comparisonParam(d: Pick<Deficit, 'soloRun' | 'coopRun' | 'teamSize'>): string {
  return `${d.soloRun}|${d.coopRun}|${d.teamSize}`
}

export function parseComparison(param: string): { soloRun: string; coopRun: string; teamSize: number } | null {
  const parts = param.split('|')
  if (parts.length !== 3) return null
  const teamSize = Number(parts[2])
  return Number.isInteger(teamSize) ? { soloRun: parts[0]!, coopRun: parts[1]!, teamSize } : null
}

export interface ComparedPair {
  coop: PairSummary
  solo: PairSummary
  cell: AgreementCell
}

const judged = (p: PairSummary) => p.state === 'finished' && (p.verdict === 'pass' || p.verdict === 'fail')

/**
 * The common pairs of a comparison, as core's deficit counts them: pairs (same repo, task and
 * features) judged, passed or failed, in both runs; each with its agreement cell.
 */
export function comparedPairs(pairs: readonly PairSummary[], c: { soloRun: string; coopRun: string; teamSize: number }): ComparedPair[] {
  const solos = new Map(
    pairs.filter((p) => p.run === c.soloRun && p.setting === 'solo' && p.features.length === c.teamSize && judged(p)).map((p) => [p.key, p]),
  )
  const found: ComparedPair[] = []
  for (const coop of pairs) {
    if (coop.run !== c.coopRun || coop.setting !== 'coop' || coop.features.length !== c.teamSize || !judged(coop)) continue
    const solo = solos.get(coop.key)
    if (!solo) continue
    const soloPassed = solo.verdict === 'pass'
    const coopPassed = coop.verdict === 'pass'
    const cell: AgreementCell = soloPassed && coopPassed ? 'bothPass' : soloPassed ? 'soloOnly' : coopPassed ? 'coopOnly' : 'neither'
    found.push({ coop, solo, cell })
  }
  return found
}
