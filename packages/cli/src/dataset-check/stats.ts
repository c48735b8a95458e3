import type { Pair, Task } from '@cooperbench/spec'
import { type Dataset, selectPairs } from '@cooperbench/dataset'

/** Counts for one repo of a selection. */
interface RepoStats {
  repo: string
  /** Tasks with at least one selected pair. */
  tasks: number
  /** All features of those tasks (the public dataset's published counts are made this way). */
  features: number
  /** Distinct features that occur in the selected pairs (≤ `features`). */
  featuresInPairs: number
  pairs: number
}

/** Counts of a selection of pairs, overall and per repo. */
export interface DatasetStats extends Omit<RepoStats, 'repo'> {
  /** Repos with at least one selected pair. */
  repos: number
  /** Per repo, in discovery order; repos without selected pairs are left out. */
  perRepo: RepoStats[]
}

interface TaskTally {
  task: Task
  pairs: number
  used: Set<number>
}

/**
 * What a selection covers: repos and tasks with a selected pair (`-s lite`: 100 pairs / 26 tasks / 12 repos, docs/reference-compatibility.md#dataset);
 * `features` their tasks' (the 2.4 table's 199 for the full dataset), `featuresInPairs` the pairs' own (`-f 1,2`, full: 199 vs 60).
 */
export function datasetStats(dataset: Dataset, pairs: readonly Pair[] = selectPairs(dataset)): DatasetStats {
  // Keyed by task id rather than object identity, so pairs built from another load still group.
  const byRepo = new Map<string, Map<number, TaskTally>>()
  for (const pair of pairs) {
    const tasks = byRepo.get(pair.task.repo) ?? new Map<number, TaskTally>()
    byRepo.set(pair.task.repo, tasks)
    const entry = tasks.get(pair.task.taskId) ?? { task: pair.task, pairs: 0, used: new Set<number>() }
    tasks.set(pair.task.taskId, entry)
    entry.pairs += 1
    for (const id of pair.features) entry.used.add(id)
  }
  const order = [...dataset.repos, ...[...byRepo.keys()].filter((repo) => !dataset.repos.includes(repo))]
  const perRepo = order.flatMap((repo): RepoStats[] => {
    const tallies = [...(byRepo.get(repo)?.values() ?? [])]
    const sum = (count: (tally: TaskTally) => number) => tallies.reduce((total, tally) => total + count(tally), 0)
    if (tallies.length === 0) return []
    return [{ repo, tasks: tallies.length, features: sum((t) => t.task.features.length), featuresInPairs: sum((t) => t.used.size), pairs: sum((t) => t.pairs) }]
  })
  const sum = (key: Exclude<keyof RepoStats, 'repo'>): number => perRepo.reduce((total, repo) => total + repo[key], 0)
  return {
    repos: perRepo.length,
    tasks: sum('tasks'),
    features: sum('features'),
    featuresInPairs: sum('featuresInPairs'),
    pairs: sum('pairs'),
    perRepo,
  }
}
