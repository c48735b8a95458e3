export { datasetStats } from './stats.js'
export type { TaskProblem } from './task-problem.js'
export { validateDataset } from './validate.js'
