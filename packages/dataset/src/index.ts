/** The CooperBench dataset format; files core's runner reads itself (feature spec, solo task text, source record) are core's, re-exported for one import. */
export { type Dataset, loadDataset } from './discover.js'
export { parseFeatureList, taskKey, tasksInScope } from './filters.js'
export { MANIFEST_FILE, readTaskManifest } from './manifest.js'
export { selectPairs, taskPairs } from './pairs.js'
export { inspectRepoSource, parseSetupScript, type RepoSourceEvidence, readRepoSource, resolveRepoSource } from './repo-source.js'
export { listedPairs, listSubsets, loadSubset, parseSubset, type Subset, subsetHoldsPair } from './subset.js'
export { type Selection, type SelectionSettings, selectFromConfig, selectIn, settlePairSize } from './selection.js'
export {
  DATASET_SOURCE_FILE,
  type DatasetSource,
  formatIds,
  isFile,
  readDatasetSource,
  readFeatureSpec,
  readOptionalText,
} from '@cooperbench/core/dataset'
/** The solo agent's task text: each feature's under `## Feature <id>`, ascending (a setting's helper, kept here for readers of the dataset). */
export { joinedFeatureTexts as soloInstructions } from '@cooperbench/spec-utils/setting'
