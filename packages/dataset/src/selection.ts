import type { Pair } from '@cooperbench/spec'
import type { ResolvedConfig } from '@cooperbench/core/config'
import { type Dataset, loadDataset } from './discover.js'
import { selectPairs } from './pairs.js'
import { loadSubset } from './subset.js'

/** The pair filters of the configuration (`-s/-r/-t/-f/--agents`), by their config keys; null or absent = any. */
export type SelectionSettings = { [K in 'subset' | 'repo' | 'taskId' | 'features' | 'teamSize']?: ResolvedConfig[K] | null }

/** The dataset and the pairs the config's filters select; warnings go to `warn`. */
export function selectFromConfig(config: ResolvedConfig, warn: (message: string) => void): Promise<{ dataset: Dataset; pairs: Pair[] }> {
  return selectIn(config.datasetDir, config, warn)
}

/** Loads the dataset (and the subset, if named) and selects the pairs the filters keep. */
export async function selectIn(datasetDir: string, filters: SelectionSettings, warn: (message: string) => void): Promise<{ dataset: Dataset; pairs: Pair[] }> {
  const dataset = await loadDataset(datasetDir)
  const subset = filters.subset ? await loadSubset(datasetDir, filters.subset) : undefined
  const pairs = selectPairs(
    dataset,
    {
      repo: filters.repo ?? undefined,
      task: filters.taskId ?? undefined,
      subset,
      features: filters.features ?? undefined,
      teamSize: filters.teamSize ?? undefined,
    },
    warn,
  )
  return { dataset, pairs }
}
