/**
 * The dataset files core's runner reads: a feature's spec, the solo agent's task text, the source record. Discovering
 * tasks, subsets, filters and pairs is `@cooperbench/dataset`'s (which re-exports these); the runner receives them.
 */
export { formatIds } from './format-ids.js'
export { isFile, isMissing, readOptionalText, unreadable } from './read-file.js'
export { DATASET_SOURCE_FILE, type DatasetSource, readDatasetSource } from './source.js'
export { readFeatureSpec } from './task-text.js'
