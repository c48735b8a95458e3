import { type Pair, type Task, CooperbenchError } from '@cooperbench/spec'
import { formatIds } from '@cooperbench/core/dataset'
import type { Dataset } from './discover.js'
import { checkFeatureFilter, checkTeamSize, MIN_TEAM_SIZE, type PairFilters, resolveTeamSize, taskKey, tasksInScope, type Warn } from './filters.js'
import { hasGroups, listedTeams } from './subset.js'

/**
 * Every team of `teamSize` features of a task (none if it has fewer), ids ascending, teams lexicographic: `[1,2], [1,3], …, [1,10],
 * [2,3], …` for pairs (docs/reference-compatibility.md#dataset), `[1,2,3], [1,2,4], …` for triples.
 */
export function taskPairs(task: Task, teamSize = MIN_TEAM_SIZE): Pair[] {
  return combinations(featureIds(task), checkTeamSize(teamSize)).map((features) => ({ task, features }))
}

/** The `size`-element combinations of `items`, in lexicographic order of positions. */
function combinations(items: readonly number[], size: number): number[][] {
  if (size === 0) return [[]]
  return items.flatMap((first, i) => combinations(items.slice(i + 1), size - 1).map((rest) => [first, ...rest]))
}

/**
 * The pairs (teams) a `run`/`eval` works on, in execution order (docs/reference-compatibility.md#dataset): tasks in discovery
 * order; per task, the `-f` features (if the task has them all), else the subset's teams of `resolveTeamSize`'s size in file
 * order, else every team. A pair-only subset with teams above two still chooses the tasks, but every team of them is selected.
 *
 * `[]` when the filters combine to nothing (the caller reports "no tasks found"), but `-f` naming features no task in scope has
 * is FILTER_NO_MATCH (almost always a typo). Subset teams naming features a task lacks are dropped with a warning.
 */
export function selectPairs(dataset: Dataset, filters: PairFilters = {}, warn: Warn = () => {}): Pair[] {
  return selectPairsWithMissing(dataset, filters, warn).pairs
}

/** The pairs a selection keeps, and the entries of its subset that the dataset lacks. */
export interface PairSelection {
  pairs: Pair[]
  /**
   * Subset entries the dataset lacks (within `-r`/`-t`), each warned about: tasks as `repo/id` in file order, then teams naming a
   * missing feature as `repo/id/a,b`; a run records them in summary.json, since it covers fewer pairs than its subset.
   */
  subsetMissing: string[]
}

/** {@link selectPairs}, also naming the subset entries it skipped because the dataset lacks them. */
export function selectPairsWithMissing(dataset: Dataset, filters: PairFilters = {}, warn: Warn = () => {}): PairSelection {
  const teamSize = resolveTeamSize(filters)
  const exactLists = filters.subset !== undefined && hasGroups(filters.subset)
  const wanted = filters.features === undefined ? null : checkFeatureFilter(filters.features, teamSize)
  const { tasks, subsetEntries, missing: absentTasks } = tasksInScope(dataset, filters, warn)
  const subsetMissing = [...absentTasks]
  const pairs: Pair[] = []
  for (const task of tasks) {
    const ids = featureIds(task)
    if (ids.length < teamSize) continue
    if (wanted !== null) {
      if (wanted.every((id) => ids.includes(id))) pairs.push({ task, features: [...wanted] })
      continue
    }
    const key = taskKey(task.repo, task.taskId)
    const entry = subsetEntries?.get(key)
    const teams = entry ? listedTeams(entry) : null
    const sized = teams?.filter((team) => team.length === teamSize) ?? null
    // A legacy pair list says nothing about larger teams; a file with groups lists every size exactly.
    const listed = sized !== null && sized.length === 0 && !exactLists && teamSize > MIN_TEAM_SIZE ? null : sized
    if (listed === null) {
      pairs.push(...taskPairs(task, teamSize))
      continue
    }
    const seen = new Set<string>()
    for (const team of listed) {
      const shown = `[${team.join(',')}]`
      const kind = team.length === 2 ? 'pair' : 'group'
      const missing = team.filter((id) => !ids.includes(id))
      if (missing.length > 0) {
        warn(
          `subset "${filters.subset?.name}": ${key} ${kind} ${shown} names feature ` +
            `${missing.join(' and ')}, which the task lacks (it has ${formatIds(ids)}); ${kind} skipped`,
        )
        subsetMissing.push(`${key}/${team.join(',')}`)
        continue
      }
      // Running one team twice would write the same result folder twice.
      if (seen.has(shown)) {
        warn(`subset "${filters.subset?.name}": ${key} lists ${kind} ${shown} more than once; running it once`)
        continue
      }
      seen.add(shown)
      pairs.push({ task, features: [...team] })
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
