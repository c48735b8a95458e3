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
  /** A subset file's problem: the subset's name; `repo`/`taskId` are the faulty entry's (maybe a missing task): the subset's, not the task's. */
  subset?: string
}
