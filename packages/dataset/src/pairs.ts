import type { Pair, Task } from '@cooperbench/spec'
import { formatIds } from '@cooperbench/core/dataset'
import { CooperbenchError } from '@cooperbench/spec'
import type { Dataset } from './discover.js'
import { checkFeatureFilter, checkTeamSize, MIN_TEAM_SIZE, type PairFilters, taskKey, tasksInScope, type Warn } from './filters.js'

/**
 * Every team of `teamSize` features of a task (pairs by default): feature ids sorted
 * numerically, teams in lexicographic order: `[1,2], [1,3], …, [1,10], [2,3], …` for pairs
 * (docs/reference-compatibility.md#dataset), `[1,2,3], [1,2,4], …` for triples. None for tasks
 * with fewer features than the team size.
 */
export function taskPairs(task: Task, teamSize = MIN_TEAM_SIZE): Pair[] {
  return combinations(featureIds(task), checkTeamSize(teamSize)).map((features) => ({ task, features }))
}

/** The `size`-element combinations of `items`, in lexicographic order of positions. */
function combinations(items: readonly number[], size: number): number[][] {
  const result: number[][] = []
  const picked: number[] = []
  const pick = (start: number): void => {
    if (picked.length === size) {
      result.push([...picked])
      return
    }
    for (let i = start; i <= items.length - (size - picked.length); i++) {
      picked.push(items[i] as number)
      pick(i + 1)
      picked.pop()
    }
  }
  pick(0)
  return result
}

/**
 * The pairs (teams) a `run`/`eval` works on, in execution order (docs/reference-compatibility.md#dataset):
 * tasks in discovery order; per task, `-f` features when given (for every task in scope that
 * has them all), else the subset's pairs in file order, else every pair.
 *
 * With a team size above two, a subset still chooses the tasks, but its pair lists (which name
 * pairs, not larger teams) do not apply: every team of the subset's tasks is selected.
 *
 * Returns `[]` when the filters combine to nothing (the caller reports "no tasks found"), except
 * that `-f` naming features no task in scope has is a FILTER_NO_MATCH error, since that is
 * almost always a typo. Subset pairs naming features a task lacks are dropped with a warning.
 */
export function selectPairs(dataset: Dataset, filters: PairFilters = {}, warn: Warn = () => {}): Pair[] {
  const teamSize = checkTeamSize(filters.teamSize ?? MIN_TEAM_SIZE)
  const wanted = filters.features === undefined ? null : checkFeatureFilter(filters.features, teamSize)
  const { tasks, subsetEntries } = tasksInScope(dataset, filters, warn)
  const pairs: Pair[] = []
  for (const task of tasks) {
    const ids = featureIds(task)
    if (ids.length < teamSize) continue
    if (wanted !== null) {
      if (wanted.every((id) => ids.includes(id))) pairs.push({ task, features: [...wanted] })
      continue
    }
    const listed = teamSize === MIN_TEAM_SIZE ? (subsetEntries?.get(taskKey(task.repo, task.taskId))?.pairs ?? null) : null
    if (listed === null) {
      pairs.push(...taskPairs(task, teamSize))
      continue
    }
    const seen = new Set<string>()
    for (const [a, b] of listed) {
      const missing = [a, b].filter((id) => !ids.includes(id))
      if (missing.length > 0) {
        warn(
          `subset "${filters.subset?.name}": ${taskKey(task.repo, task.taskId)} pair [${a},${b}] names feature ` +
            `${missing.join(' and ')}, which the task lacks (it has ${formatIds(ids)}); pair skipped`,
        )
        continue
      }
      // Running one pair twice would write the same result folder twice.
      if (seen.has(`${a},${b}`)) {
        warn(`subset "${filters.subset?.name}": ${taskKey(task.repo, task.taskId)} lists pair [${a},${b}] more than once; running it once`)
        continue
      }
      seen.add(`${a},${b}`)
      pairs.push({ task, features: [a, b] })
    }
  }
  if (wanted !== null && pairs.length === 0 && tasks.length > 0) throw featuresNotFound(tasks, wanted)
  return pairs
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
