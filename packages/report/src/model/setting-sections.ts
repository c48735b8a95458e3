import { type PairFolder, PairFiles, verdictOf } from '@cooperbench/results'
import type { PairedComparison, ReportedRun, ReportSection, ReportTools } from '@cooperbench/spec/report'
import { fingerprintMismatch, type StoredFingerprint } from '../readers/run-fingerprints.js'
import { agreementTable, mcnemarExact, newcombePairedInterval } from '../statistics/paired-statistics.js'
import { judgedInBoth, recordMismatch } from './deficit.js'
import { strategyMixText } from './policy-rates.js'
import type { RowSide } from './comparisons.js'
import type { SettingReport, SettingReporters } from './report-types.js'

/** A row as its setting's `report` reads it: plain data, its pairs with a result.json. */
export function reportedRun(row: SettingReport, pairs: readonly PairFolder[], fingerprint: StoredFingerprint | null): ReportedRun {
  return {
    run: row.runs[0]!,
    pairSize: row.pairSize,
    fingerprint,
    communication: row.communication,
    passed: row.passed,
    failed: row.failed,
    policies: row.policies.filter((p) => p.file === PairFiles.eval).map((p) => ({ policy: p.policy, passesBy: strategyMixText(p.passesBy) })),
    pairs: pairs.flatMap((p) => (p.result ? [{ repo: p.repo, taskId: p.taskId, features: p.features, result: p.result, eval: p.eval }] : [])),
  }
}

/** Each installed setting's `report.sections` for its rows, in the report's order of settings. */
export function settingSections(rows: readonly SettingReport[], side: RowSide, reporters: SettingReporters): ReportSection[] {
  const settings = [...new Set(rows.map((row) => row.setting))]
  return settings.flatMap((setting) => {
    const sections = reporters[setting]?.sections
    if (!sections) return []
    const runs = rows.filter((row) => row.setting === setting).map((row) => reportedRun(row, side(row).pairs, side(row).fingerprint))
    return sections(runs, REPORT_TOOLS)
  })
}

/** The reported pairs of a run as the comparisons read them. */
const folders = (run: ReportedRun) => run.pairs.map((p) => ({ ...p, setting: '', dir: '', unreadable: [] }) satisfies PairFolder)

const REPORT_TOOLS: ReportTools = {
  mismatch: (a, b) => (a.fingerprint && b.fingerprint ? fingerprintMismatch(a.fingerprint, b.fingerprint) : recordMismatch(folders(a), folders(b))),
  paired(first, second): PairedComparison {
    const { matched, dropped } = judgedInBoth(folders(first), folders(second))
    const table = agreementTable(matched.map((m) => ({ solo: verdictOf(m.first.eval) === 'pass', coop: verdictOf(m.second.eval) === 'pass' })))
    // The paired statistics are written as first − second: negated, second − first.
    const interval = newcombePairedInterval(table)
    const n = matched.length
    return {
      pairs: n,
      dropped: dropped.firstOnly + dropped.secondOnly + dropped.notJudgedInBoth,
      agreement: { bothPass: table.bothPass, firstOnly: table.soloOnly, secondOnly: table.coopOnly, neither: table.neither },
      difference: n === 0 ? 0 : (table.coopOnly - table.soloOnly) / n,
      low: n === 0 ? -1 : -interval.high,
      high: n === 0 ? 1 : -interval.low,
      mcnemar: mcnemarExact(table),
    }
  },
}
