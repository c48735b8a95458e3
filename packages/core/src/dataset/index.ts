export { type Dataset, type LoadDatasetOptions, loadDataset } from './discover.js'
export {
  checkFeatureFilter,
  checkTeamSize,
  MIN_TEAM_SIZE,
  normalizeFeatureIds,
  type PairFilters,
  parseFeatureList,
  tasksInScope,
} from './filters.js'
export { MANIFEST_FILE, parseTaskManifest, readTaskManifest } from './manifest.js'
export { selectPairs, taskPairs } from './pairs.js'
export {
  BUNDLE_FILE,
  inspectRepoSource,
  parseDockerfile,
  parseSetupScript,
  type RepoSourceEvidence,
  readRepoSource,
  resolveRepoSource,
  type ScriptSource,
} from './repo-source.js'
export { type DatasetStats, datasetStats, type RepoStats } from './stats.js'
export { listSubsets, loadSubset, parseSubset, type Subset, type SubsetTask, subsetsDir } from './subset.js'
export { type FeatureText, readFeatureSpec, soloInstructions } from './task-text.js'
export { type TaskProblem, validateDataset } from './validate.js'
