/** Dataset files the runner reads (feature spec, solo task text, source record); discovery is `@cooperbench/dataset`'s, which re-exports these. */
export { formatIds } from './format-ids.js'
export { isFile, isMissing, readOptionalText, unreadable } from './read-file.js'
export { DATASET_SOURCE_FILE, type DatasetSource, readDatasetSource } from './source.js'
export { readFeatureSpec } from './task-text.js'
