import { readdir } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import { CooperbenchError } from '../errors.js'
import { byCodeUnits } from './discover.js'
import { isMissing, readOptionalText, unreadable } from './read-file.js'

/** One task entry of a subset file. */
export interface SubsetTask {
  repo: string
  taskId: number
  /**
   * The subset's pairs of this task, in file order, each ascending. null when the entry has no
   * `pairs` key: then every pair of the task belongs to the subset (docs/reference-compatibility.md#dataset).
   */
  pairs: Array<[number, number]> | null
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

const SUBSETS_DIR = 'subsets'
const ENTRY_EXAMPLE = '{"repo": "pallets_jinja_task", "task_id": 1621, "pairs": [[1, 2], [3, 5]]}'

/** The folder that holds a dataset's subset files. */
export function subsetsDir(datasetDir: string): string {
  return join(resolve(datasetDir), SUBSETS_DIR)
}

/** Names of the subsets a dataset ships (`lite`, `flash`), sorted; empty without a subsets folder. */
export async function listSubsets(datasetDir: string): Promise<string[]> {
  const dir = subsetsDir(datasetDir)
  try {
    const entries = await readdir(dir, { withFileTypes: true })
    return entries
      .filter((entry) => !entry.isDirectory() && entry.name.endsWith('.json'))
      .map((entry) => entry.name.slice(0, -'.json'.length))
      .sort(byCodeUnits)
  } catch (error) {
    if (isMissing(error)) return []
    throw unreadable(dir, error)
  }
}

/**
 * Loads `<dataset>/subsets/<name>.json` (`-s NAME`). `lite.json` is accepted for `lite`.
 * A missing file is SUBSET_NOT_FOUND naming the expected path and the subsets that exist;
 * a malformed one is SUBSET_INVALID naming the JSON path of every problem.
 */
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
      hint:
        available.length > 0
          ? `Available subsets: ${available.join(', ')}.`
          : `This dataset has no subset files; create ${path} or run without -s.`,
    })
  }
  return parseSubset(text, path, stem)
}

/**
 * Validates and converts a subset file's JSON. Collects every shape problem (reported in
 * `details`) so a hand-edited file can be fixed in one pass.
 */
export function parseSubset(text: string, path: string, name = basename(path, '.json')): Subset {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new CooperbenchError(
      'SUBSET_INVALID',
      `${path} is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
      { hint: 'Fix the JSON syntax, e.g. with `python3 -m json.tool` or your editor.' },
    )
  }
  const problems: string[] = []
  const tasks: SubsetTask[] = []
  if (!isObject(data)) problems.push('(root): must be an object with a "tasks" array')
  else if (!Array.isArray(data.tasks)) problems.push('tasks: must be an array of task entries')
  else {
    const seen = new Map<string, number>()
    data.tasks.forEach((entry: unknown, index) => {
      const task = parseEntry(entry, `tasks[${index}]`, problems)
      if (task === null) return
      const key = `${task.repo}/${task.taskId}`
      const first = seen.get(key)
      // The reference keeps the last entry's pairs; a duplicate is almost surely an editing slip.
      if (first !== undefined) problems.push(`tasks[${index}]: repeats ${key} from tasks[${first}]`)
      else seen.set(key, index)
      tasks.push(task)
    })
  }
  if (problems.length > 0) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : ''
    throw new CooperbenchError('SUBSET_INVALID', `${path}: ${problems[0]}${more}`, {
      hint: `Each entry of "tasks" looks like ${ENTRY_EXAMPLE}; "pairs" is optional (absent = all pairs).`,
      details: problems,
    })
  }
  const description = isObject(data) && typeof data.description === 'string' ? data.description : null
  return { name, path, description, tasks }
}

function parseEntry(entry: unknown, where: string, problems: string[]): SubsetTask | null {
  if (!isObject(entry)) {
    problems.push(`${where}: must be an object like ${ENTRY_EXAMPLE}, got ${describe(entry)}`)
    return null
  }
  const before = problems.length
  const { repo, task_id: taskId, pairs } = entry
  if (typeof repo !== 'string' || repo === '') problems.push(`${where}.repo: must be a repo folder name, got ${describe(repo)}`)
  if (!isFeatureOrTaskId(taskId)) problems.push(`${where}.task_id: must be a non-negative integer, got ${describe(taskId)}`)
  let parsedPairs: Array<[number, number]> | null = null
  // `null` is read like an absent key: the reference tests `"pairs" in t` but a null there would crash it.
  if (pairs !== undefined && pairs !== null) {
    if (!Array.isArray(pairs)) problems.push(`${where}.pairs: must be an array of [a, b] feature pairs, got ${describe(pairs)}`)
    else {
      parsedPairs = []
      pairs.forEach((pair: unknown, index) => {
        const at = `${where}.pairs[${index}]`
        if (!Array.isArray(pair) || pair.length !== 2 || !pair.every(isFeatureOrTaskId)) {
          problems.push(`${at}: must be two feature ids like [1, 2], got ${describe(pair)}`)
        } else if (pair[0] === pair[1]) {
          problems.push(`${at}: names feature ${String(pair[0])} twice; a pair needs two different features`)
        } else {
          const [a, b] = pair as [number, number]
          // Shipped subsets are ascending already; a hand-written [5, 2] means the same pair.
          parsedPairs?.push(a < b ? [a, b] : [b, a])
        }
      })
    }
  }
  if (problems.length > before) return null
  return { repo: repo as string, taskId: taskId as number, pairs: parsedPairs }
}

function isFeatureOrTaskId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing'
  const json = JSON.stringify(value)
  return json.length > 60 ? `${json.slice(0, 57)}...` : json
}
