import { type Task, CooperbenchError } from '@cooperbench/spec'
import { closeNames } from './close-names.js'
import type { Dataset } from './discover.js'
import { hasGroups, type Subset, type SubsetTask, subsetPairSizes } from './subset.js'

/** The `run`/`eval` selection flags (docs/reference-compatibility.md#dataset); they combine with AND. */
export interface PairFilters {
  /** `-r`: exact repo folder name. */
  repo?: string
  /** `-t`: task id; `0` selects task 0 (fixed here: the reference ignored `-t 0`). */
  task?: number
  /** `-s`: a loaded subset (see `loadSubset`). */
  subset?: Subset
  /** `-f`: feature ids in any order; de-duplicated and sorted before use. */
  features?: number[]
  /** Features per pair (`--agents N`): coop runs N agents, one feature each; solo one agent on all N; `-f` must name N ids. See `resolvePairSize`. */
  pairSize?: number
}

/** Receives one human-readable line per recoverable oddity (dropped subset pairs, absent tasks). */
export type Warn = (message: string) => void

const FEATURES_HINT = 'Pass two feature ids separated by a comma, e.g. -f 1,2.'

/** The smallest pair: two features, two agents in coop. */
export const MIN_PAIR_SIZE = 2

function featuresHint(pairSize: number): string {
  if (pairSize === MIN_PAIR_SIZE) return FEATURES_HINT
  const example = Array.from({ length: pairSize }, (_, i) => i + 1).join(',')
  return `Pass ${pairSize} feature ids separated by commas (one per agent of --agents ${pairSize}), e.g. -f ${example}.`
}

/** Refuses a pair size that is not an integer of at least two. */
export function checkPairSize(pairSize: number): number {
  if (!Number.isInteger(pairSize) || pairSize < MIN_PAIR_SIZE) {
    throw new CooperbenchError('USAGE', `--agents ${String(pairSize)} is not a pair size`, {
      hint: 'Pass an integer of at least 2: the number of features (and, in coop, agents) per pair.',
    })
  }
  return pairSize
}

/** The pair size: `--agents N` (a `groups` subset must agree), else the `-f` count, else a `groups` subset's (mixed sizes need `--agents`), else two. */
export function resolvePairSize(filters: Pick<PairFilters, 'pairSize' | 'features' | 'subset'>): number {
  const { subset } = filters
  const sizes = subset !== undefined && hasGroups(subset) ? subsetPairSizes(subset) : []
  if (filters.pairSize !== undefined) {
    const pairSize = checkPairSize(filters.pairSize)
    if (subset !== undefined && filters.features === undefined && sizes.length > 0 && !sizes.includes(pairSize)) {
      throw new CooperbenchError('USAGE', `subset "${subset.name}" lists pairs of ${sizes.join(' and ')} features; --agents ${pairSize} disagrees`, {
        hint: `Drop --agents (the subset sets the pair size) or pass ${sizes.map((n) => `--agents ${n}`).join(' or ')}.`,
      })
    }
    return pairSize
  }
  if (filters.features !== undefined) return Math.max(MIN_PAIR_SIZE, normalizeFeatureIds(filters.features).length)
  if (sizes.length > 1) {
    throw new CooperbenchError('USAGE', `subset "${subset?.name}" mixes pairs of ${sizes.join(' and ')} features`, {
      hint: `Pick one size: ${sizes.map((n) => `--agents ${n}`).join(' or ')}.`,
    })
  }
  return sizes[0] ?? MIN_PAIR_SIZE
}

/** `"3,1"` → `[1, 3]`: parses `-f`, sorting ascending; an id named twice is refused. */
export function parseFeatureList(text: string): number[] {
  const tokens = text.split(',').map((token) => token.trim())
  if (text.trim() === '') throw new CooperbenchError('USAGE', '-f/--features is empty', { hint: FEATURES_HINT })
  const ids = tokens.map((token) => {
    if (!/^\d+$/.test(token)) {
      const what = token === '' ? 'an empty entry' : `"${token}", which is not a feature id`
      throw new CooperbenchError('USAGE', `-f/--features "${text}" contains ${what}`, { hint: FEATURES_HINT })
    }
    return Number(token)
  })
  refuseRepeatedId(ids)
  return normalizeFeatureIds(ids)
}

/** `-f 1,1,2` is a typo, not the pair 1,2: a feature id named twice is a USAGE error naming it. */
function refuseRepeatedId(ids: readonly number[]): void {
  const repeated = ids.find((id, index) => ids.indexOf(id) !== index)
  if (repeated === undefined) return
  throw new CooperbenchError('USAGE', `-f/--features names feature ${repeated} more than once (${ids.join(',')})`, {
    hint: 'Name each feature of the pair once, e.g. -f 1,2 (or -f 1,2,3 for three features).',
  })
}

/** De-duplicated, ascending: the order the user typed must not leak into prompts or eval (2.7). */
export function normalizeFeatureIds(ids: readonly number[]): number[] {
  return [...new Set(ids)].sort((a, b) => a - b)
}

/** Checks `-f` for use: integers, exactly `pairSize` distinct ids. Returns them normalized. */
export function checkFeatureFilter(ids: readonly number[], pairSize = MIN_PAIR_SIZE): number[] {
  const hint = featuresHint(pairSize)
  const bad = ids.find((id) => !Number.isInteger(id) || id < 0)
  if (bad !== undefined) {
    throw new CooperbenchError('USAGE', `-f/--features: ${String(bad)} is not a feature id`, { hint })
  }
  refuseRepeatedId(ids)
  const normalized = normalizeFeatureIds(ids)
  if (normalized.length !== pairSize) {
    const given =
      normalized.length === 0 ? 'no feature ids' : `${normalized.length} distinct feature id${normalized.length === 1 ? '' : 's'} (${normalized.join(',')})`
    const wanted = pairSize === MIN_PAIR_SIZE ? 'two' : String(pairSize)
    const more = normalized.length > pairSize ? ` To run pairs of ${normalized.length}, add --agents ${normalized.length}.` : ''
    throw new CooperbenchError('USAGE', `-f/--features needs exactly ${wanted} distinct feature ids, got ${given}`, { hint: `${hint}${more}` })
  }
  return normalized
}

/**
 * The tasks `-r`, `-t` and `-s` keep, in discovery order, with each one's subset entry. Unknown `-r`/`-t` values are errors (typos);
 * subset tasks the dataset lacks are warnings (the demo dataset holds only some) listed in `missing` (`repo/id`, file order).
 */
export function tasksInScope(
  dataset: Dataset,
  filters: PairFilters,
  warn: Warn = () => {},
): { tasks: Task[]; subsetEntries: Map<string, SubsetTask> | null; missing: string[] } {
  let tasks = dataset.tasks
  if (filters.repo !== undefined) {
    const repo = filters.repo
    if (!dataset.repos.includes(repo)) throw unknownRepo(dataset, repo)
    tasks = tasks.filter((task) => task.repo === repo)
  }
  if (filters.task !== undefined) {
    const id = filters.task
    if (!Number.isInteger(id) || id < 0) {
      throw new CooperbenchError('USAGE', `-t/--task ${String(id)} is not a task id`, {
        hint: 'Pass the integer of a task folder, e.g. -t 1621 for task1621 (0 is a valid id).',
      })
    }
    const matching = tasks.filter((task) => task.taskId === id)
    if (matching.length === 0) throw unknownTask(dataset, tasks, id, filters.repo)
    tasks = matching
  }
  if (filters.subset === undefined) return { tasks, subsetEntries: null, missing: [] }

  const subset = filters.subset
  const entries = new Map(subset.tasks.map((entry) => [taskKey(entry.repo, entry.taskId), entry]))
  const present = new Set(dataset.tasks.map((task) => taskKey(task.repo, task.taskId)))
  const absent = subset.tasks
    .filter((entry) => filters.repo === undefined || entry.repo === filters.repo)
    .filter((entry) => filters.task === undefined || entry.taskId === filters.task)
    .map((entry) => taskKey(entry.repo, entry.taskId))
    .filter((key) => !present.has(key))
  if (absent.length > 0) {
    warn(
      `subset "${subset.name}" names ${absent.length} task${absent.length === 1 ? '' : 's'} that ${dataset.dir} does not contain: ` +
        `${listSome(absent, 8)}; skipping ${absent.length === 1 ? 'it' : 'them'}`,
    )
  }
  return { tasks: tasks.filter((task) => entries.has(taskKey(task.repo, task.taskId))), subsetEntries: entries, missing: absent }
}

/** `pallets_jinja_task/1621`: how subset entries and tasks are matched and named in messages. */
export function taskKey(repo: string, taskId: number): string {
  return `${repo}/${taskId}`
}

function unknownRepo(dataset: Dataset, repo: string): CooperbenchError {
  const close = closeNames(repo, dataset.repos)
  const guess = close.length > 0 ? `Did you mean ${close.join(' or ')}? ` : ''
  return new CooperbenchError('FILTER_NO_MATCH', `no repo folder "${repo}" in ${dataset.dir}`, {
    hint: `${guess}-r takes the exact folder name. Repos: ${dataset.repos.join(', ')}.`,
  })
}

function unknownTask(dataset: Dataset, scope: Task[], id: number, repo: string | undefined): CooperbenchError {
  const where = repo === undefined ? dataset.dir : repo
  const available =
    repo === undefined
      ? dataset.repos
          .map((name) => [name, scope.filter((task) => task.repo === name).map((task) => task.taskId)] as const)
          .filter(([, ids]) => ids.length > 0)
          .map(([name, ids]) => `${name}: ${ids.join(', ')}`)
          .join('; ')
      : scope.map((task) => task.taskId).join(', ')
  return new CooperbenchError('FILTER_NO_MATCH', `no task ${id} in ${where}`, {
    hint: available === '' ? `${where} has no task folders.` : `-t takes a task id. Tasks: ${available}.`,
  })
}

function listSome(items: string[], limit: number): string {
  if (items.length <= limit) return items.join(', ')
  return `${items.slice(0, limit).join(', ')} and ${items.length - limit} more`
}
