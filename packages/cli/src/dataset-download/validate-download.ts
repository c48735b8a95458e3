import { loadDataset } from '@cooperbench/dataset'
import { type TaskProblem, validateDataset } from '../dataset-check/index.js'

export interface ValidationReport {
  dataset: string
  tasks: number
  errors: number
  warnings: number
  problems: TaskProblem[]
}

/** The checks of `cooperbench dataset validate`, on the folder just downloaded. */
export async function validateDownloadedDataset(dir: string): Promise<ValidationReport> {
  const dataset = await loadDataset(dir, { tolerant: true })
  const problems = await validateDataset(dataset)
  const errors = problems.filter((p) => p.severity === 'error').length
  return { dataset: dataset.dir, tasks: dataset.tasks.length, errors, warnings: problems.length - errors, problems }
}

/** The report as `dataset validate` prints it: one line per problem, then the counts. */
export function validationLines(report: ValidationReport): string[] {
  return [
    ...report.problems.map((p) => `${p.severity}: ${p.path}: ${p.problem}`),
    `${report.tasks} tasks checked: ${report.errors} error(s), ${report.warnings} warning(s)`,
  ]
}
