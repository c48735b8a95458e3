import type { SettingReport } from '../../model/report.js'
import { runList } from '../labels.js'
import { type ColumnOf, count, duration, type ReportSection, tableOf, text } from './section-model.js'

/** Median time per pair and each run's wall time, for every row. */
export function timingSection(rows: SettingReport[]): ReportSection {
  const columns: Array<ColumnOf<SettingReport>> = [
    { label: 'run', csv: 'run', cell: (s) => text(runList(s)) },
    { label: 'setting', csv: 'setting', cell: (s) => text(s.setting) },
    { label: 'pair size', align: 'right', csv: 'pair_size', cell: (s) => count(s.pairSize) },
    { label: 'pairs', align: 'right', csv: 'pairs', cell: (s) => count(s.pairs) },
    { label: 'median per pair', align: 'right', csv: 'value', cell: (s) => duration(s.timing.medianPairSeconds) },
    { label: 'wall time', align: 'right', csv: 'count', cell: (s) => duration(s.timing.wallSeconds) },
  ]
  return {
    id: 'timing',
    title: 'Time',
    caption:
      "Median time per pair (the agents' run, result.json duration_seconds, without evaluation) and the run's wall time " +
      "(first pair's start to last pair's end: pairs run side by side, and a resumed run's pause counts).",
    ...tableOf(columns, rows),
    notes: [],
  }
}
