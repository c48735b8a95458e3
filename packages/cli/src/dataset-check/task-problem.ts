/** One thing wrong with a dataset. `error`s break runs or evals; `warning`s are oddities. */
export interface TaskProblem {
  /** Repo folder; null for dataset-wide problems (subset files). */
  repo: string | null
  taskId: number | null
  feature: number | null
  /** The file or folder at fault. */
  path: string
  problem: string
  severity: 'error' | 'warning'
  /**
   * A problem of a subset file: the subset's name. Its `repo`/`taskId` are those of the entry at
   * fault (which may name a task the dataset lacks), so it is the subset's, not that task's.
   */
  subset?: string
}
