import type { Dirent } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { type Feature, type RepoSource, type Task, type TaskManifest, CooperbenchError, isCooperbenchError } from '@cooperbench/spec'
import { isMissing, unreadable } from '@cooperbench/core/dataset'
import { readTaskManifest } from './manifest.js'
import { readRepoSource } from './repo-source.js'

/** A loaded dataset: every task in discovery order (docs/reference-compatibility.md#dataset). */
export interface Dataset {
  /** Absolute dataset root. */
  dir: string
  /** Every repo folder (`*_task`), lexicographic, including ones without task folders. */
  repos: string[]
  /** Every `task<ID>` folder, by repo then folder name (`task153` before `task85`); ones under two features kept for `validateDataset`, no pairs. */
  tasks: Task[]
}

export interface LoadDatasetOptions {
  /** Load a task with broken files (bad `cooperbench.json`, unreadable Dockerfile) as `manifest: null`/empty source for `validateDataset`; runs are strict. */
  tolerant?: boolean
}

const REPO_DIR = /_task$/
const TASK_DIR = /^task(\d+)$/
const FEATURE_DIR = /^feature(\d+)$/

/** Walks a CooperBench dataset, reading only listings and each task's small Dockerfile, setup.sh and cooperbench.json (specs and patches later). */
export async function loadDataset(datasetDir: string, options: LoadDatasetOptions = {}): Promise<Dataset> {
  const dir = resolve(datasetDir)
  const entries = await listFolder(dir, datasetDir)
  const repos = (await directoriesMatching(dir, entries, REPO_DIR)).map((entry) => entry.name).sort(byCodeUnits)
  if (repos.length === 0) {
    throw new CooperbenchError('DATASET_INVALID', `${datasetDir} contains no repo folders (folders named *_task)`, {
      hint: 'Point --dataset-dir at the dataset root, the folder that holds pallets_jinja_task/, go_chi_task/, … and subsets/.',
    })
  }
  return { dir, repos, tasks: (await Promise.all(repos.map((repo) => loadRepoTasks(dir, repo, options)))).flat() }
}

async function loadRepoTasks(datasetDir: string, repo: string, options: LoadDatasetOptions): Promise<Task[]> {
  const repoDir = join(datasetDir, repo)
  const taskDirs = (await directoriesMatching(repoDir, await listFolder(repoDir), TASK_DIR))
    .map((entry) => entry.name)
    // Lexicographic by folder name, as the reference does: this is the execution order users see.
    .sort(byCodeUnits)
  return Promise.all(taskDirs.map((name) => loadTask(repoDir, repo, name, options)))
}

async function loadTask(repoDir: string, repo: string, folder: string, options: LoadDatasetOptions): Promise<Task> {
  const dir = join(repoDir, folder)
  const [features, source, manifest] = await Promise.all([
    listFeatures(dir),
    tolerate(options, readRepoSource(dir), emptySource),
    tolerate<TaskManifest | null>(options, readTaskManifest(dir), null),
  ])
  return { repo, taskId: Number(TASK_DIR.exec(folder)?.[1]), dir, features, source, manifest }
}

async function listFeatures(taskDir: string): Promise<Feature[]> {
  const entries = await directoriesMatching(taskDir, await listFolder(taskDir), FEATURE_DIR)
  return entries.map((entry) => ({ id: Number(FEATURE_DIR.exec(entry.name)?.[1]), dir: join(taskDir, entry.name) })).sort((a, b) => a.id - b.id)
}

/** `given`: the dataset root as the user named it, when `dir` is that root (its absence gets a hint of its own). */
async function listFolder(dir: string, given?: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true })
  } catch (error) {
    const code = (error as { code?: unknown }).code
    if (given !== undefined && (isMissing(error) || code === 'ENOTDIR')) {
      const what = code === 'ENOTDIR' ? 'is not a folder' : 'does not exist'
      throw new CooperbenchError('DATASET_NOT_FOUND', `dataset folder ${given} ${what} (resolved to ${dir})`, {
        hint:
          'Run from the project root (where dataset/ lives) or pass --dataset-dir <path>; ' +
          '`cooperbench dataset download` fetches the public CooperBench dataset into ./dataset.',
        cause: error,
      })
    }
    throw unreadable(dir, error)
  }
}

/** Entries whose name matches and that are folders, following symlinks (datasets are sometimes linked in). */
async function directoriesMatching(parent: string, entries: Dirent[], pattern: RegExp): Promise<Dirent[]> {
  const checks = entries
    .filter((entry) => pattern.test(entry.name))
    .map(async (entry) => {
      if (entry.isDirectory()) return entry
      if (!entry.isSymbolicLink()) return null
      try {
        return (await stat(join(parent, entry.name))).isDirectory() ? entry : null
      } catch {
        return null // a dangling link is not a folder
      }
    })
  return (await Promise.all(checks)).filter((entry): entry is Dirent => entry !== null)
}

const emptySource: RepoSource = { url: null, bundlePath: null, baseCommit: null }

async function tolerate<T>(options: LoadDatasetOptions, work: Promise<T>, fallback: T): Promise<T> {
  if (!options.tolerant) return work
  try {
    return await work
  } catch (error) {
    if (isCooperbenchError(error)) return fallback
    throw error
  }
}

/** Python's `sorted()` order for folder names: by UTF-16 code units, not locale. */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
