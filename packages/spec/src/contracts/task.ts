/** Where a task's repository comes from: a git bundle shipped in the task folder, or upstream. */
export interface RepoSource {
  /** Upstream clone URL (from the Dockerfile's `git clone` or setup.sh), when known. */
  url: string | null
  /** `<task dir>/repo.bundle` when the task ships its base code. */
  bundlePath: string | null
  /** 40-hex base commit every patch is relative to. */
  baseCommit: string | null
}

/**
 * Our extension of the dataset format: `task<ID>/cooperbench.json`. A task that declares
 * `local.hostTools` can run in the `local` backend when those tools exist on the host.
 */
export interface TaskManifest {
  local?: { hostTools: string[] }
}

export interface Feature {
  id: number
  dir: string
}

export interface Task {
  /** Repo folder name, e.g. `pallets_jinja_task`. */
  repo: string
  taskId: number
  /** Absolute path of the `task<ID>` folder. */
  dir: string
  /** Features sorted by id. */
  features: Feature[]
  source: RepoSource
  manifest: TaskManifest | null
}

/** Two (or more) feature ids of one task, ascending: the unit of work. */
export interface Pair {
  task: Task
  features: number[]
}

/** A collaboration setting's registered name (`coop`, `solo`, `team`, a plugin's): a folder of a run and the `setting` of its records. */
export type SettingName = string
