import type { Dataset } from '@cooperbench/dataset'
import type { TaskProblem } from './task-problem.js'

/** What `dataset validate` (and `dataset download`, on the folder it fetched) finds. */
export interface ValidationReport {
  dataset: string
  tasks: number
  errors: number
  warnings: number
  problems: TaskProblem[]
}

export function validationReport(dataset: Dataset, problems: TaskProblem[]): ValidationReport {
  const errors = problems.filter((p) => p.severity === 'error').length
  return { dataset: dataset.dir, tasks: dataset.tasks.length, errors, warnings: problems.length - errors, problems }
}

/** The report as `dataset validate` prints it: one line per problem, `findings` of further checks, then the counts. */
export function validationLines(report: ValidationReport, findings: string[] = []): string[] {
  return [
    ...report.problems.map((p) => `${p.severity}: ${p.path}: ${p.problem}`),
    ...findings,
    `${report.tasks} tasks checked: ${report.errors} error(s), ${report.warnings} warning(s)`,
  ]
}
