import { readdir } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import { didYouMean } from '@cooperbench/config'
import { CooperbenchError } from '@cooperbench/spec'
import { isMissing, readOptionalText, unreadable } from '@cooperbench/core/dataset'
import { byCodeUnits } from './discover.js'
import { shapeProblemPaths, validateSubsetFile, valueAt } from './file-shapes.js'

/** One task entry of a subset file. */
export interface SubsetTask {
  repo: string
  taskId: number
  /** The subset's pairs of this task, in file order, each ascending; null without `pairs` (all belong: docs/reference-compatibility.md#dataset). */
  pairs: Array<[number, number]> | null
  /** Its N-element pairs (upstream's `"groups"`, PR #75), in file order, each ascending; null when the entry has no `groups` key. */
  groups: number[][] | null
}

/** A parsed `<dataset>/subsets/<name>.json`. */
export interface Subset {
  /** The name it was loaded by (the file stem), e.g. `lite`. */
  name: string
  /** Absolute path of the file. */
  path: string
  description: string | null
  tasks: SubsetTask[]
}

/** The keys a subset file and each of its entries may hold; any other is SUBSET_INVALID (a typo would select wrongly). */
export const SUBSET_FILE_KEYS = {
  file: ['name', 'description', 'stats', 'curation', 'tasks'],
  entry: ['repo', 'task_id', 'pairs', 'groups'],
} as const

/** The pairs an entry lists (pairs and groups, in file order), or null when it lists none (= every pair of its task). */
export function listedPairs(entry: SubsetTask): number[][] | null {
  if (entry.pairs === null && entry.groups === null) return null
  return [...(entry.pairs ?? []), ...(entry.groups ?? [])]
}

/** The pair sizes a subset's lists name, ascending (`[2]` for a pair subset, `[3]` for team3_*.json); empty when no entry lists pairs. */
export function subsetPairSizes(subset: Subset): number[] {
  const sizes = new Set<number>()
  for (const entry of subset.tasks) for (const pair of listedPairs(entry) ?? []) sizes.add(pair.length)
  return [...sizes].sort((a, b) => a - b)
}

/** Whether the subset holds pair `features` of `repo/taskId`: its entry lists it, lists none, or lists only pairs and the pair is larger. */
export function subsetHoldsPair(subset: Subset, repo: string, taskId: number, features: readonly number[]): boolean {
  const entry = subset.tasks.find((task) => task.repo === repo && task.taskId === taskId)
  if (!entry) return false
  const pairs = listedPairs(entry)
  if (pairs === null) return true
  const key = [...features].sort((a, b) => a - b).join(',')
  const sized = pairs.filter((pair) => pair.length === features.length)
  if (sized.length === 0 && !hasGroups(subset) && features.length > 2) return true
  return sized.some((pair) => pair.join(',') === key)
}

/** Whether any entry of the subset has a `groups` list (then its lists are exact for every pair size). */
export function hasGroups(subset: Subset): boolean {
  return subset.tasks.some((entry) => entry.groups !== null)
}

const SUBSETS_DIR = 'subsets'
/**
 * The public CooperBench dataset's subsets, named in the hint when one is missing (`dataset download --subset NAME` fetches any):
 * lite and flash since 0.0.14; all, spark, flash_10 and the N-agent team3_/team4_ in upstream's later `dataset/subsets/`; core in
 * upstream's CHANGELOG (the 10-pair subset of its four-framework comparison).
 */
export const PUBLISHED_SUBSETS = [
  'lite',
  'flash',
  'flash_10',
  'spark',
  'core',
  'all',
  'team3_clean',
  'team3_slight',
  'team3_all',
  'team3_250',
  'team4_clean',
  'team4_slight',
  'team4_all',
]
const ENTRY_EXAMPLE = '{"repo": "pallets_jinja_task", "task_id": 1621, "pairs": [[1, 2], [3, 5]]}'
const GROUP_EXAMPLE = '{"repo": "dspy_task", "task_id": 8563, "groups": [[1, 2, 3]]}'

export function subsetsDir(datasetDir: string): string {
  return join(resolve(datasetDir), SUBSETS_DIR)
}

/** Names of the subsets a dataset ships (`lite`, `flash`), sorted; empty without a subsets folder. */
export async function listSubsets(datasetDir: string): Promise<string[]> {
  const dir = subsetsDir(datasetDir)
  try {
    return (await readdir(dir, { withFileTypes: true }))
      .filter((entry) => !entry.isDirectory() && entry.name.endsWith('.json'))
      .map((entry) => entry.name.slice(0, -'.json'.length))
      .sort(byCodeUnits)
  } catch (error) {
    if (isMissing(error)) return []
    throw unreadable(dir, error)
  }
}

/** Loads `<dataset>/subsets/<name>.json` (`-s NAME` or `NAME.json`); SUBSET_NOT_FOUND names the path and the subsets, SUBSET_INVALID each problem's path. */
export async function loadSubset(datasetDir: string, name: string): Promise<Subset> {
  const stem = name.endsWith('.json') ? name.slice(0, -'.json'.length) : name
  if (stem === '' || stem.includes('/') || stem.includes('\\') || stem.startsWith('.')) {
    throw new CooperbenchError('USAGE', `invalid subset name ${JSON.stringify(name)}`, {
      hint: `Name a file in ${subsetsDir(datasetDir)} without its folder or extension, e.g. -s lite.`,
    })
  }
  const path = join(subsetsDir(datasetDir), `${stem}.json`)
  const text = await readOptionalText(path)
  if (text === null) {
    const available = await listSubsets(datasetDir)
    throw new CooperbenchError('SUBSET_NOT_FOUND', `subset "${stem}" not found: ${path} does not exist`, {
      hint: [
        didYouMean(stem, available).trim(),
        available.length > 0 ? `Available subsets: ${available.join(', ')}.` : `This dataset has no subset files; create ${path} or run without -s.`,
        PUBLISHED_SUBSETS.includes(stem) && !available.includes(stem)
          ? `"${stem}" is a subset of the public CooperBench dataset: \`cooperbench dataset download --subset ${stem}\` fetches it.`
          : '',
      ]
        .filter(Boolean)
        .join(' '),
    })
  }
  return parseSubset(text, path, stem)
}

/** Validates and converts a subset file's JSON, reporting every shape problem (in `details`) so that one pass fixes a hand-edited file. */
export function parseSubset(text: string, path: string, name = basename(path, '.json')): Subset {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new CooperbenchError('SUBSET_INVALID', `${path} is not valid JSON (${error instanceof Error ? error.message : String(error)})`, {
      hint: 'Fix the JSON syntax, e.g. with `python3 -m json.tool` or your editor.',
    })
  }
  const problems = subsetProblems(data)
  if (problems.length > 0) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : ''
    throw new CooperbenchError('SUBSET_INVALID', `${path}: ${problems[0]}${more}`, {
      hint: `Each entry of "tasks" looks like ${ENTRY_EXAMPLE} or ${GROUP_EXAMPLE}; "pairs" and "groups" are optional (both absent = every pair of the task).`,
      details: problems,
    })
  }
  const file = data as {
    description?: unknown
    tasks: Array<{ repo: string; task_id: number | string; pairs?: Array<[number, number]> | null; groups?: number[][] | null }>
  }
  const tasks: SubsetTask[] = file.tasks.map((entry) => ({
    repo: entry.repo,
    taskId: Number(entry.task_id),
    // Shipped subsets are ascending already; a hand-written [5, 2] means the same pair.
    pairs: entry.pairs ? entry.pairs.map(([a, b]) => (a < b ? [a, b] : [b, a])) : null,
    // Upstream's group lists are not sorted within a group ([4, 7, 1]); a pair is a set of features.
    groups: entry.groups ? entry.groups.map((group) => [...group].sort((a, b) => a - b)) : null,
  }))
  return { name, path, description: typeof file.description === 'string' ? file.description : null, tasks }
}

/** Every problem of a subset file in file order, one line each (`tasks[3].pairs[1]: …`): its shape, a pair naming one feature twice, a repeated task. */
function subsetProblems(data: unknown): string[] {
  const found: Array<{ order: [number, number]; text: string }> = []
  for (const path of shapeProblemPaths(validateSubsetFile, data)) {
    const [, entry, field, pair] = path as [string?, number?, string?, number?]
    const text = shapeProblem(path, data)
    // Two errors inside one pair ([1.5, 2.5]) are one problem of that pair.
    if (!found.some((p) => p.text === text)) found.push({ order: [entry ?? -1, field === 'pairs' || field === 'groups' ? (pair ?? -1) : -1], text })
  }
  for (const key of unknownKeys(data, SUBSET_FILE_KEYS.file)) {
    found.push({ order: [-1, 0], text: `(root).${key}: unknown key; a subset file holds ${SUBSET_FILE_KEYS.file.map((k) => `"${k}"`).join(', ')}` })
  }
  const tasks = (data as { tasks?: unknown } | null)?.tasks
  if (Array.isArray(tasks)) {
    const broken = new Set(found.map((p) => p.order[0]))
    const seen = new Map<string, number>()
    // A problem of an entry's own: the entry is not checked against the others.
    const entryProblem = (index: number, at: number, text: string): void => {
      found.push({ order: [index, at], text })
      broken.add(index)
    }
    tasks.forEach((entry: unknown, index) => {
      for (const key of unknownKeys(entry, SUBSET_FILE_KEYS.entry)) {
        entryProblem(index, -2, `tasks[${index}].${key}: unknown key; an entry holds ${SUBSET_FILE_KEYS.entry.map((k) => `"${k}"`).join(', ')}`)
      }
      const groups = (entry as { groups?: unknown } | null)?.groups
      if (Array.isArray(groups)) {
        groups.forEach((group: unknown, at) => {
          if (Array.isArray(group) && group.every((id) => Number.isInteger(id)) && new Set(group).size !== group.length) {
            entryProblem(index, at, `tasks[${index}].groups[${at}]: names a feature twice; a pair needs distinct features`)
          }
        })
      }
      const pairs = (entry as { pairs?: unknown } | null)?.pairs
      if (Array.isArray(pairs)) {
        pairs.forEach((pair: unknown, at) => {
          if (Array.isArray(pair) && pair.length === 2 && Number.isInteger(pair[0]) && pair[0] === pair[1]) {
            entryProblem(index, at, `tasks[${index}].pairs[${at}]: names feature ${pair[0]} twice; a pair needs two different features`)
          }
        })
      }
      if (broken.has(index)) return
      const { repo, task_id: taskId } = entry as { repo: string; task_id: number | string }
      const key = `${repo}/${Number(taskId)}`
      const first = seen.get(key)
      // The reference keeps the last entry's pairs; a duplicate is almost surely an editing slip.
      if (first !== undefined) found.push({ order: [index, Number.MAX_SAFE_INTEGER], text: `tasks[${index}]: repeats ${key} from tasks[${first}]` })
      else seen.set(key, index)
    })
  }
  // Stable: problems of one place keep the schema's order.
  return found.sort((a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1]).map((p) => p.text)
}

function shapeProblem(path: Array<string | number>, data: unknown): string {
  const [, entry, field, pair] = path
  if (path.length === 0) return '(root): must be an object with a "tasks" array'
  if (entry === undefined) return 'tasks: must be an array of task entries'
  const where = `tasks[${entry}]`
  if (field === undefined) return `${where}: must be an object like ${ENTRY_EXAMPLE}, got ${describe(valueAt(data, path))}`
  const value = valueAt(data, path.slice(0, (field === 'pairs' || field === 'groups') && pair !== undefined ? 4 : 3))
  if (field === 'repo') return `${where}.repo: must be a repo folder name, got ${describe(value)}`
  if (field === 'task_id') return `${where}.task_id: must be a non-negative integer, got ${describe(value)}`
  if (field === 'groups') {
    if (pair === undefined) return `${where}.groups: must be an array of feature-id pairs like [[1, 2, 3]], got ${describe(value)}`
    return `${where}.groups[${pair}]: must be two or more feature ids like [1, 2, 3], got ${describe(value)}`
  }
  if (pair === undefined) return `${where}.pairs: must be an array of [a, b] feature pairs, got ${describe(value)}`
  return `${where}.pairs[${pair}]: must be two feature ids like [1, 2], got ${describe(value)}`
}

/** The keys of an object that `allowed` lacks; none of anything else (whose shape the schema reports). */
function unknownKeys(value: unknown, allowed: readonly string[]): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return []
  return Object.keys(value).filter((key) => !allowed.includes(key))
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing'
  const json = JSON.stringify(value)
  return json.length > 60 ? `${json.slice(0, 57)}...` : json
}
