import type { AgreementTable, Deficit, PairSummary } from '../../src/model.ts'

/** A cell of the 2×2 agreement table: which of the two runs passed a common pair. */
export type AgreementCell = keyof AgreementTable

export const CELL_NAMES: Record<AgreementCell, string> = {
  bothPass: 'both passed',
  soloOnly: 'solo passed, coop failed',
  coopOnly: 'coop passed, solo failed',
  neither: 'both failed',
}

/** The runs of a comparison: a solo run and a run of another setting (coop, team, …) of one pair size. */
export interface Comparison {
  soloRun: string
  coopRun: string
  pairSize: number
  setting: string
}

/** The pair list's `cmp` value of a comparison: `solo|coop|pairSize`, plus `|<setting>` when not coop (so pre-team links stay valid). */
export function comparisonParam(d: Pick<Deficit, 'soloRun' | 'coopRun' | 'pairSize'> & { setting?: string }): string {
  return `${d.soloRun}|${d.coopRun}|${d.pairSize}${d.setting === undefined || d.setting === 'coop' ? '' : `|${d.setting}`}`
}

export function parseComparison(param: string): Comparison | null {
  const [soloRun, coopRun, size, setting = 'coop', ...rest] = param.split('|')
  const pairSize = Number(size)
  return coopRun !== undefined && rest.length === 0 && Number.isInteger(pairSize) ? { soloRun: soloRun!, coopRun, pairSize, setting } : null
}

export interface ComparedPair {
  coop: PairSummary
  solo: PairSummary
  cell: AgreementCell
}

const judged = (p: PairSummary) => p.state === 'finished' && (p.verdict === 'pass' || p.verdict === 'fail')

/** A comparison's common pairs as core's deficit counts them (same repo, task, features; judged in both runs), each with its agreement cell. */
export function comparedPairs(pairs: readonly PairSummary[], c: Comparison): ComparedPair[] {
  const solos = new Map(
    pairs.filter((p) => p.run === c.soloRun && p.setting === 'solo' && p.features.length === c.pairSize && judged(p)).map((p) => [p.key, p]),
  )
  const found: ComparedPair[] = []
  for (const coop of pairs) {
    if (coop.run !== c.coopRun || coop.setting !== c.setting || coop.features.length !== c.pairSize || !judged(coop)) continue
    const solo = solos.get(coop.key)
    if (!solo) continue
    const soloPassed = solo.verdict === 'pass'
    const coopPassed = coop.verdict === 'pass'
    const cell: AgreementCell = soloPassed && coopPassed ? 'bothPass' : soloPassed ? 'soloOnly' : coopPassed ? 'coopOnly' : 'neither'
    found.push({ coop, solo, cell })
  }
  return found
}
