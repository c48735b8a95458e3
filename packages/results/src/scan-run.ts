import { existsSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { DEFAULT_SETTING, type EvalRecord, type ResultRecord } from '@cooperbench/spec'
import { PairFiles } from './layout.js'
import { readJsonChecked } from './read-json.js'
import { evalShapeProblem, otherPairProblem, type PairIdentity, resultShapeProblem } from './record-shape.js'

/** One pair folder of a run, as found on disk. */
export interface PairFolder {
  setting: string
  repo: string
  taskId: number
  /** Ascending feature ids parsed from the folder name. */
  features: number[]
  dir: string
  result: ResultRecord | null
  eval: EvalRecord | null
  /** Existing files that could not be used, with why (`… names another pair`): the pair is unreadable, never running, failed or unevaluated. */
  unreadable: string[]
}

/**
 * `<run>/<setting>/<repo>/<task>/<pair>/` with `evalFile`'s verdict, or legacy `<run>/<repo>/<task>/<pair>/` when setting folders yield
 * none (docs/reference-compatibility.md#evaluation); sorted by setting, repo, task folder, features.
 */
export async function scanRun(runDirectory: string, evalFile: string = PairFiles.eval): Promise<PairFolder[]> {
  const found: PairFolder[] = []
  for (const setting of await settingFolders(runDirectory)) found.push(...(await scanRepos(join(runDirectory, setting), setting, evalFile)))
  if (found.length === 0 && existsSync(runDirectory)) found.push(...(await scanRepos(runDirectory, null, evalFile)))
  return found
}

async function scanRepos(root: string, setting: string | null, evalFile: string): Promise<PairFolder[]> {
  const repos = (await subdirectories(root)).filter((repo) => repo.endsWith('_task'))
  // Every folder listed and read at once, not one after the other: a 652-pair run is thousands of small reads.
  const tasks = (
    await Promise.all(
      repos.map(async (repo) => (await subdirectories(join(root, repo))).filter((taskName) => /^\d+$/.test(taskName)).map((taskName) => ({ repo, taskName }))),
    )
  ).flat()
  const perTask = await Promise.all(
    tasks.map(async ({ repo, taskName }) => {
      const pairNames = (await subdirectories(join(root, repo, taskName)))
        .map((name) => ({ name, features: parsePairFolderName(name) }))
        .filter((p): p is { name: string; features: number[] } => p.features !== null)
        .sort((a, b) => compareFeatureLists(a.features, b.features))
      return Promise.all(
        pairNames.map(({ name, features }) => readPairFolder(join(root, repo, taskName, name), setting, repo, Number(taskName), features, evalFile)),
      )
    }),
  )
  return perTask.flat()
}

async function readPairFolder(dir: string, setting: string | null, repo: string, taskId: number, features: number[], evalFile: string): Promise<PairFolder> {
  const folder = { dir, repo, taskId, features }
  const [result, evalRecord] = await Promise.all([readResult(folder), readVerdict(folder, evalFile)])
  const unreadable = [...problemLines(dir, PairFiles.result, result), ...problemLines(dir, evalFile, evalRecord)]
  return { setting: setting ?? legacySetting(result.value), repo, taskId, features, dir, result: result.value, eval: evalRecord.value, unreadable }
}

/** A record file of a pair folder as read: null when absent, or null with why it cannot be used. */
export interface RecordAsRead<T> {
  value: T | null
  problem: string | null
}

/** A pair folder and the pair its path names. */
export type PairPlace = PairIdentity & { dir: string }

function readResult(folder: PairPlace): Promise<RecordAsRead<ResultRecord>> {
  return readJsonChecked<ResultRecord>(join(folder.dir, PairFiles.result), recordProblem('result', folder))
}

/** The verdict of a pair folder in `evalFile` (eval.json, or a re-score's `eval.<policy>.json`). */
export function readVerdict(folder: PairPlace, evalFile: string): Promise<RecordAsRead<EvalRecord>> {
  return readJsonChecked<EvalRecord>(join(folder.dir, evalFile), recordProblem('eval', folder))
}

/** A record as a reader of its file in `folder` would get it back: JSON's values, checked for its file's shape and pair. */
export function recordAsWritten<T extends ResultRecord | EvalRecord>(record: T, file: 'result' | 'eval', folder: PairIdentity): RecordAsRead<T> {
  const value = JSON.parse(JSON.stringify(record)) as T
  const problem = recordProblem(file, folder)(value)
  return problem === null ? { value, problem } : { value: null, problem }
}

/** Why a parsed record cannot be used in `folder`: not of its file's shape, or another pair's. */
function recordProblem(file: 'result' | 'eval', folder: PairIdentity): (value: unknown) => string | null {
  const shapeProblem = file === 'result' ? resultShapeProblem : evalShapeProblem
  return (value) => shapeProblem(value) ?? otherPairProblem(value, folder)
}

/** `PairFolder.unreadable`'s line for a record file that could not be used: `<path> <why>`. */
export function problemLines(dir: string, file: string, read: RecordAsRead<unknown>): string[] {
  return read.problem ? [`${join(dir, file)} ${read.problem}`] : []
}

/** `f1_f5` → [1, 5]; parts not starting with `f` + digits are ignored; fewer than two → null. */
export function parsePairFolderName(name: string): number[] | null {
  const ids = name
    .split('_')
    .filter((part) => /^f\d+$/.test(part))
    .map((part) => Number(part.slice(1)))
  if (ids.length < 2) return null
  return [...new Set(ids)].sort((a, b) => a - b)
}

export function compareFeatureLists(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return a.length - b.length
}

/** The setting of a pair folder in the reference's layout: its result.json's (upstream's always says), else the default. */
function legacySetting(result: ResultRecord | null): string {
  return typeof result?.setting === 'string' && result.setting !== '' ? result.setting : DEFAULT_SETTING
}

/** The setting folders of a run folder, in name order: every sub-folder but the reference's `<repo>_task` ones. */
export async function settingFolders(runDirectory: string): Promise<string[]> {
  return (await subdirectories(runDirectory)).filter((name) => !name.endsWith('_task'))
}

async function subdirectories(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
}
