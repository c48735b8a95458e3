import { EVAL_ERROR_CAUSES, type EvalErrorCause } from '../../model/error-causes.js'
import type { SettingReport } from '../../model/report.js'
import { runList } from '../labels.js'
import { type ColumnOf, count, type ReportSection, tableOf, text } from './section-model.js'

/** Per run with evaluation errors, a row per cause: the pairs without a verdict, apart from the fails. */
export function evalErrorsSection(settings: SettingReport[]): ReportSection {
  const columns: Array<ColumnOf<{ s: SettingReport; cause: EvalErrorCause }>> = [
    { label: 'run', csv: 'run', cell: ({ s }) => text(runList(s)) },
    { label: 'setting', csv: 'setting', cell: ({ s }) => text(s.setting) },
    { label: 'pair size', align: 'right', csv: 'pair_size', cell: ({ s }) => count(s.pairSize) },
    { label: 'cause', csv: 'measure', cell: ({ cause }) => text(cause) },
    { label: 'eval errors', align: 'right', csv: 'count', cell: ({ s, cause }) => count(s.errorCauses[cause]) },
  ]
  const causesOf = (s: SettingReport) => EVAL_ERROR_CAUSES.filter((cause) => s.errorCauses[cause] > 0)
  const rows = settings.flatMap((s) => causesOf(s).map((cause) => ({ s, cause })))
  return {
    id: 'eval_errors',
    title: 'Evaluation errors by cause (no verdict: not failed, left out of every rate)',
    caption:
      'Pairs whose evaluation produced no verdict, by the cause their eval.json names (error_cause): ' +
      'dataset, a defect of the task (a tests patch that does not apply to the base commit); infra, the sandbox or platform; ' +
      "agent, the agent's output; task_changed, the task text changed since the agents ran (their patches answer another task; " +
      '`run` runs them again); unknown, no cause named.',
    ...tableOf(columns, rows),
    notes: [],
  }
}
