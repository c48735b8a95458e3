import { showsPolicies } from '../../model/policy-rates.js'
import type { RateRow, RunReport } from '../../model/report.js'
import { runList } from '../labels.js'
import { type CsvFields, csvRecords, rateFields, type ReportSection } from './section-model.js'

/** CSV: per run, its overall record, then one per repository, merge outcome and (when it shows them) evaluation policy. */
export function runRecordSections(report: RunReport): ReportSection[] {
  return report.settings.flatMap((s) => {
    const head = { run: runList(s), agent: s.agent, model: s.model, setting: s.setting, pair_size: s.pairSize, interrupted: s.interrupted }
    const counts = (r: Omit<RateRow, 'ci'>): CsvFields => ({ pairs: r.pairs, evaluated: r.evaluated, passed: r.passed, failed: r.failed, errors: r.errors })
    return [
      csvRecords('overall', [s], () => ({
        ...head,
        ...counts(s),
        ...rateFields(s.rate, s.ci),
        strict_rate: s.strict.rate,
        strict_ci_low: s.strict.ci?.low ?? null,
        strict_ci_high: s.strict.ci?.high ?? null,
        // No sum when no pair's cost is known: an empty cost, never 0.
        cost: s.costUnknownPairs >= s.pairs ? null : s.cost,
        cost_unknown_pairs: s.costUnknownPairs,
      })),
      csvRecords('repo', s.perRepo, (r) => ({ ...head, repo: r.repo, ...counts(r), ...rateFields(r.rate, r.ci) })),
      csvRecords('merge', s.byMerge, (m) => ({
        ...head,
        scope: `merge_${m.outcome}`,
        ...{ pairs: m.pairs, evaluated: m.pairs, passed: m.passed, failed: m.pairs - m.passed, rate: m.rate },
      })),
      csvRecords('policy', showsPolicies(s) ? s.policies : [], (p) => ({
        ...head,
        ...counts(p),
        ...{ rate: p.rate, measure: p.policy, value: p.rateWithErrors },
        note: `${p.file}; passes by ${Object.entries(p.passesBy)
          .map(([strategy, n]) => `${strategy}=${n}`)
          .join(' ')}`,
      })),
    ]
  })
}
