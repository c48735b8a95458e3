/**
 * The CooperBench dataset format: discovering tasks, subsets, filters, pairs, the selection a config
 * asks for, repo sources and task manifests. The few files core's runner reads itself (a feature's
 * spec, the solo task text, the dataset's source record) are core's, re-exported here so that one
 * import serves.
 */
export { type Dataset, type LoadDatasetOptions, loadDataset } from './discover.js'
export {
  checkFeatureFilter,
  checkTeamSize,
  MIN_TEAM_SIZE,
  normalizeFeatureIds,
  type PairFilters,
  parseFeatureList,
  resolveTeamSize,
  taskKey,
  tasksInScope,
} from './filters.js'
export { MANIFEST_FILE, parseTaskManifest, readTaskManifest } from './manifest.js'
export { type PairSelection, selectPairs, selectPairsWithMissing, taskPairs } from './pairs.js'
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
export {
  hasGroups,
  listedTeams,
  listSubsets,
  loadSubset,
  PUBLISHED_SUBSETS,
  parseSubset,
  type Subset,
  type SubsetTask,
  SUBSET_FILE_KEYS,
  subsetHoldsTeam,
  subsetsDir,
  subsetTeamSizes,
} from './subset.js'
export { type Selection, type SelectionSettings, selectFromConfig, selectIn, settleTeamSize } from './selection.js'
export {
  DATASET_SOURCE_FILE,
  type DatasetSource,
  type FeatureText,
  formatIds,
  isFile,
  readDatasetSource,
  readFeatureSpec,
  readOptionalText,
  soloInstructions,
} from '@cooperbench/core/dataset'
