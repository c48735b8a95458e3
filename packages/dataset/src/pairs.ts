import { type Pair, type Task, CooperbenchError } from '@cooperbench/spec'
import { formatIds } from '@cooperbench/core/dataset'
import type { Dataset } from './discover.js'
import { checkFeatureFilter, checkPairSize, MIN_PAIR_SIZE, type PairFilters, resolvePairSize, taskKey, tasksInScope, type Warn } from './filters.js'
import { hasGroups, listedPairs } from './subset.js'

/**
 * Every pair of `pairSize` features of a task (none if it has fewer), ids ascending, pairs lexicographic: `[1,2], [1,3], …, [1,10],
 * [2,3], …` for pairs (docs/reference-compatibility.md#dataset), `[1,2,3], [1,2,4], …` for triples.
 */
export function taskPairs(task: Task, pairSize = MIN_PAIR_SIZE): Pair[] {
  return combinations(featureIds(task), checkPairSize(pairSize)).map((features) => ({ task, features }))
}

/** The `size`-element combinations of `items`, in lexicographic order of positions. */
function combinations(items: readonly number[], size: number): number[][] {
  if (size === 0) return [[]]
  return items.flatMap((first, i) => combinations(items.slice(i + 1), size - 1).map((rest) => [first, ...rest]))
}

/**
 * The pairs (pairs) a `run`/`eval` works on, in execution order (docs/reference-compatibility.md#dataset): tasks in discovery
 * order; per task, the `-f` features (if the task has them all), else the subset's pairs of `resolvePairSize`'s size in file
 * order, else every pair. A pair-only subset with pairs above two still chooses the tasks, but every pair of them is selected.
 *
 * `[]` when the filters combine to nothing (the caller reports "no tasks found"), but `-f` naming features no task in scope has
 * is FILTER_NO_MATCH (almost always a typo). Subset pairs naming features a task lacks are dropped with a warning.
 */
export function selectPairs(dataset: Dataset, filters: PairFilters = {}, warn: Warn = () => {}): Pair[] {
  return selectPairsWithMissing(dataset, filters, warn).pairs
}

/** The pairs a selection keeps, and the entries of its subset that the dataset lacks. */
export interface PairSelection {
  pairs: Pair[]
  /**
   * Subset entries the dataset lacks (within `-r`/`-t`), each warned about: tasks as `repo/id` in file order, then pairs naming a
   * missing feature as `repo/id/a,b`; a run records them in summary.json, since it covers fewer pairs than its subset.
   */
  subsetMissing: string[]
}

/** {@link selectPairs}, also naming the subset entries it skipped because the dataset lacks them. */
export function selectPairsWithMissing(dataset: Dataset, filters: PairFilters = {}, warn: Warn = () => {}): PairSelection {
  const pairSize = resolvePairSize(filters)
  const exactLists = filters.subset !== undefined && hasGroups(filters.subset)
  const wanted = filters.features === undefined ? null : checkFeatureFilter(filters.features, pairSize)
  const { tasks, subsetEntries, missing: absentTasks } = tasksInScope(dataset, filters, warn)
  const subsetMissing = [...absentTasks]
  const pairs: Pair[] = []
  for (const task of tasks) {
    const ids = featureIds(task)
    if (ids.length < pairSize) continue
    if (wanted !== null) {
      if (wanted.every((id) => ids.includes(id))) pairs.push({ task, features: [...wanted] })
      continue
    }
    const key = taskKey(task.repo, task.taskId)
    const entry = subsetEntries?.get(key)
    const sized = (entry ? listedPairs(entry) : null)?.filter((features) => features.length === pairSize) ?? null
    // A legacy pair list says nothing about larger pairs; a file with groups lists every size exactly.
    const listed = sized !== null && sized.length === 0 && !exactLists && pairSize > MIN_PAIR_SIZE ? null : sized
    if (listed === null) {
      pairs.push(...taskPairs(task, pairSize))
      continue
    }
    const seen = new Set<string>()
    for (const features of listed) {
      const shown = `[${features.join(',')}]`
      const kind = features.length === 2 ? 'pair' : 'group'
      const missing = features.filter((id) => !ids.includes(id))
      if (missing.length > 0) {
        warn(
          `subset "${filters.subset?.name}": ${key} ${kind} ${shown} names feature ` +
            `${missing.join(' and ')}, which the task lacks (it has ${formatIds(ids)}); ${kind} skipped`,
        )
        subsetMissing.push(`${key}/${features.join(',')}`)
        continue
      }
      // Running one pair twice would write the same result folder twice.
      if (seen.has(shown)) {
        warn(`subset "${filters.subset?.name}": ${key} lists ${kind} ${shown} more than once; running it once`)
        continue
      }
      seen.add(shown)
      pairs.push({ task, features: [...features] })
    }
  }
  if (wanted !== null && pairs.length === 0 && tasks.length > 0) throw featuresNotFound(tasks, wanted)
  return { pairs, subsetMissing }
}

function featureIds(task: Task): number[] {
  // Task.features is sorted by id already; sorting again keeps hand-built Task objects correct.
  return task.features.map((feature) => feature.id).sort((a, b) => a - b)
}

function featuresNotFound(scope: Task[], wanted: number[]): CooperbenchError {
  const shown = scope.slice(0, 5).map((task) => `${taskKey(task.repo, task.taskId)} has ${formatIds(featureIds(task))}`)
  const rest = scope.length > shown.length ? `; ${scope.length - shown.length} more task(s) in scope` : ''
  return new CooperbenchError(
    'FILTER_NO_MATCH',
    `no task in scope has features ${wanted.join(' and ')} (checked ${scope.length} task${scope.length === 1 ? '' : 's'})`,
    { hint: `Pick features the task has: ${shown.join('; ')}${rest}.` },
  )
}
