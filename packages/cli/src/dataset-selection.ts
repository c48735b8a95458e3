import type { Pair } from '@cooperbench/core'
import { type Dataset, selectIn } from '@cooperbench/dataset'
import { resolve } from 'node:path'
import { type FilterFlagValues, filterFlagsToOptions } from './context.js'

/**
 * Dataset commands read only the dataset: no config resolution beyond --dataset-dir (default
 * `./dataset`), so they work anywhere a dataset is.
 */
export function selectForDatasetCommand(
  flags: FilterFlagValues & { 'dataset-dir'?: string },
  warn: (message: string) => void,
): Promise<{ dataset: Dataset; pairs: Pair[] }> {
  return selectIn(resolve(flags['dataset-dir'] ?? 'dataset'), filterFlagsToOptions(flags), warn)
}
