import { join, resolve } from 'node:path'
import { Flags } from '@oclif/core'
import { ExitCode, type Task } from '@cooperbench/core'
import { type Dataset, loadDataset, loadSubset } from '@cooperbench/dataset'
import { type TaskProblem, validateDataset } from '../../dataset-check/index.js'
import { validationLines, validationReport } from '../../dataset-check/report.js'
import { checkGoldTests, createDefaultEvaluator, type GoldTestResult } from '@cooperbench/evaluator-default'
import { createOwnedSandbox } from '@cooperbench/core/runner'
import { BaseCommand } from '../../base-command.js'
import { openCommandHost } from '../../context.js'
import { openDatasetScope } from '../../dataset-scope.js'
import { backendFlag, configFlag, datasetDirFlag, filterFlags } from '../../flags.js'
import { withInterruption } from '../../interrupt.js'
import { createCountProgress } from '../../ui/count-progress.js'

export default class DatasetValidate extends BaseCommand {
  static override summary =
    'Check every task of a dataset, its feature and test patches applied to their base, and report each problem (keeps going past the first).'
  static override description =
    "With --deep, also runs every feature's hidden tests on its gold patch in sandboxes of the chosen backend (a solo evaluation per feature with its gold patch alone, paired 1+2, 3+4, …), and reports a feature whose gold patch does not pass its own tests as an error, with the failing test lines. Tasks that already have an error are not run."
  static override examples = [
    '<%= config.bin %> dataset validate',
    '<%= config.bin %> dataset validate --dataset-dir ../cooperbench-dataset --json',
    '<%= config.bin %> dataset validate --deep --backend docker -c 8',
    '<%= config.bin %> dataset validate --deep -s lite',
  ]
  static override enableJsonFlag = true
  static override flags = {
    ...datasetDirFlag,
    ...backendFlag,
    ...configFlag,
    subset: filterFlags.subset,
    repo: filterFlags.repo,
    task: filterFlags.task,
    deep: Flags.boolean({ description: "Also run every feature's gold tests on its gold patch, in sandboxes of the backend.", default: false }),
    concurrency: Flags.integer({ char: 'c', description: 'With --deep: evaluations at once. [default: 4]', min: 1, default: 4 }),
  }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(DatasetValidate)
    const whole = await loadDataset(resolve(flags['dataset-dir'] ?? 'dataset'), { tolerant: true })
    const dataset = await selectTasks(whole, flags)
    const selected = new Set(dataset.tasks.map((task) => `${task.repo}/${task.taskId}`))
    // Dataset-wide and subset problems stay (an entry naming a missing task is the subset's); per-task ones only for selected tasks.
    const problems = (await validateDataset(whole, { applyPatches: true })).filter(
      (p) => p.subset !== undefined || p.taskId === null || selected.has(`${p.repo}/${p.taskId}`),
    )
    let deep: { features: GoldTestResult[]; skippedTasks: number } | undefined
    if (flags.deep) {
      const failing = new Set(problems.filter((p) => p.severity === 'error' && p.taskId !== null).map((p) => `${p.repo}/${p.taskId}`))
      const tasks = dataset.tasks.filter((task) => !failing.has(`${task.repo}/${task.taskId}`))
      const features = await this.goldTests(flags, tasks)
      if (features === null) this.exit(ExitCode.interrupted)
      deep = { features, skippedTasks: dataset.tasks.length - tasks.length }
      problems.push(...features.filter((r) => !r.passed).map((r) => goldTestProblem(dataset.tasks, r)))
    }
    const result = { ...validationReport(dataset, problems), ...(deep ? { deep } : {}) }
    if (!this.jsonEnabled()) {
      const passed = deep?.features.filter((r) => r.passed).length
      const skipped = deep && deep.skippedTasks > 0 ? `; ${deep.skippedTasks} task(s) with errors not run` : ''
      const goldTests = deep ? [`gold tests: ${passed}/${deep.features.length} features pass on their gold patch${skipped}`] : []
      for (const line of validationLines(result, goldTests)) this.log(line)
    }
    if (result.errors > 0) this.exitWith(ExitCode.dataset, result)
    return result
  }

  /** Every feature's gold tests on its gold patch; null when interrupted. */
  private async goldTests(
    flags: { backend?: string; config?: string; 'dataset-dir'?: string; concurrency: number },
    tasks: Task[],
  ): Promise<GoldTestResult[] | null> {
    const { config, services } = await openCommandHost(this.config, { backend: flags.backend, datasetDir: flags['dataset-dir'] }, flags.config, this.verbose)
    const testTimeoutMs = config.testTimeoutSeconds * 1000
    const scope = await openDatasetScope(services, config, tasks, { runName: 'dataset-validate', testTimeoutMs })
    const total = tasks.reduce((sum, task) => sum + task.features.length, 0)
    const progress = createCountProgress(total, 'features', this.jsonEnabled() ? 'silent' : 'auto')
    try {
      return await withInterruption(async (signal) => {
        const results = await checkGoldTests({
          tasks,
          evaluator: createDefaultEvaluator(),
          concurrency: flags.concurrency,
          testTimeoutMs,
          signal,
          createSandbox: (task) => createOwnedSandbox(scope, task, 'validate', {}, signal),
          onResults: (found) => {
            for (const r of found) progress.done(`${r.repo}/task${r.taskId} feature${r.feature} ${r.passed ? 'passed' : 'FAILED'}`)
          },
        }).catch((error: unknown) => (signal.aborted ? null : Promise.reject(error)))
        return signal.aborted ? null : results
      })
    } finally {
      progress.stop()
      await scope.dispose()
    }
  }
}

function goldTestProblem(tasks: readonly Task[], r: GoldTestResult): TaskProblem {
  const dir = tasks.find((task) => task.repo === r.repo && task.taskId === r.taskId)?.features.find((f) => f.id === r.feature)?.dir
  return {
    repo: r.repo,
    taskId: r.taskId,
    feature: r.feature,
    path: dir === undefined ? `${r.repo}/task${r.taskId}/feature${r.feature}` : join(dir, 'feature.patch'),
    problem: `feature ${r.feature}: ${r.problem ?? 'failed'}`,
    severity: 'error',
  }
}

/**
 * The tasks `-s`, `-r` and `-t` select (all without filters): a subset's tasks (all features, not its `pairs`), one repo, one task id.
 * A subset naming no task of the dataset selects nothing; a missing one is SUBSET_NOT_FOUND as for `run`.
 */
async function selectTasks(dataset: Dataset, filters: { subset?: string; repo?: string; task?: number }): Promise<Dataset> {
  let tasks = dataset.tasks
  if (filters.subset !== undefined) {
    const subset = await loadSubset(dataset.dir, filters.subset)
    const listed = new Set(subset.tasks.map((t) => `${t.repo}/${t.taskId}`))
    tasks = tasks.filter((task) => listed.has(`${task.repo}/${task.taskId}`))
  }
  if (filters.repo !== undefined) tasks = tasks.filter((task) => task.repo === filters.repo)
  if (filters.task !== undefined) tasks = tasks.filter((task) => task.taskId === filters.task)
  return { ...dataset, tasks }
}
