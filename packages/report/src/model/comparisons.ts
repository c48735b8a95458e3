import { CooperbenchError } from '@cooperbench/spec'
import { type ComparedSide, compareSides, type Deficit, isDeficit, type RefusedComparison } from './deficit.js'
import type { ReportSelection, SettingReport } from './report-types.js'

/** A row's side of a comparison: its run, pair size, pairs and fingerprint. */
export type RowSide = (row: SettingReport) => ComparedSide

/**
 * Each solo row against each other setting's row of the same pair size, or only the named runs' (a named solo run still meets every
 * setting but coop). Named runs with differing fingerprints are an error; unnamed mismatches are listed as refused.
 */
export function compareSettings(settings: SettingReport[], side: RowSide, selection: ReportSelection) {
  const named = selection.solo !== undefined || selection.coop !== undefined
  if (named && (selection.solo === undefined || selection.coop === undefined)) {
    throw new CooperbenchError('USAGE', 'name both runs to compare, or neither', { hint: 'e.g. --solo solo-run --coop coop-run' })
  }
  const solos = settings.filter((s) => s.setting === 'solo' && (!named || s.runs[0] === selection.solo))
  const coops = settings.filter((s) => s.setting === 'coop' && (!named || s.runs[0] === selection.coop))
  // Every other setting is set against solo too, on the same pairs.
  const others = settings.filter((s) => s.setting !== 'solo' && s.setting !== 'coop')
  if (named && (solos.length === 0 || coops.length === 0)) {
    const missing = solos.length === 0 ? `solo results in run "${selection.solo}"` : `coop results in run "${selection.coop}"`
    throw new CooperbenchError('USAGE', `no ${missing}`, { hint: 'Name a run that holds that setting, and include it with -n.' })
  }
  const deficits: Deficit[] = []
  const refused: RefusedComparison[] = []
  for (const solo of solos) {
    for (const other of [...coops, ...others].filter((c) => c.pairSize === solo.pairSize)) {
      const compared = compareSides(side(solo), side(other), other.setting)
      if (isDeficit(compared)) deficits.push(compared)
      else refused.push(compared)
    }
  }
  if (named && !deficits.some((d) => d.setting === 'coop')) {
    const reasons = refused.filter((r) => r.setting === 'coop').flatMap((r) => r.reasons)
    throw new CooperbenchError('RUN_CONFIG_MISMATCH', `runs "${selection.solo}" (solo) and "${selection.coop}" (coop) cannot be compared`, {
      details: reasons,
      hint: 'A deficit compares runs of the same agent, model, limits and prompt profile on common pairs; rerun one of them to match.',
    })
  }
  return { deficits, refused }
}
