import { EVAL_ERROR_CAUSES } from '../../model/error-causes.js'
import type { SettingReport } from '../../model/report.js'
import { count, type TableSection, text } from './section-model.js'

/** Per run with evaluation errors, a row per cause: the pairs without a verdict, apart from the fails. */
export function evalErrorsSection(settings: SettingReport[]): TableSection {
  return {
    id: 'eval_errors',
    title: 'Evaluation errors by cause (no verdict: not failed, left out of every rate)',
    caption:
      'Pairs whose evaluation produced no verdict, by the cause their eval.json names (error_cause): ' +
      'dataset, a defect of the task (a tests patch that does not apply to the base commit); infra, the sandbox or platform; ' +
      "agent, the agent's output; task_changed, the task text changed since the agents ran (their patches answer another task; " +
      '`run` runs them again); unknown, no cause named.',
    columns: [
      { label: 'run', align: 'left', csv: 'run' },
      { label: 'setting', align: 'left', csv: 'setting' },
      { label: 'team size', align: 'right', csv: 'team_size' },
      { label: 'cause', align: 'left', csv: 'measure' },
      { label: 'eval errors', align: 'right', csv: 'count' },
    ],
    rows: settings.flatMap((s) =>
      EVAL_ERROR_CAUSES.filter((cause) => s.errorCauses[cause] > 0).map((cause) => [
        text(s.runs.join(', ')),
        text(s.setting),
        count(s.teamSize),
        text(cause),
        count(s.errorCauses[cause]),
      ]),
    ),
    notes: [],
  }
}
