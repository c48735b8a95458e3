import type { ResolvedConfig, LayeredConfig } from '@cooperbench/config'
import { type Dataset, loadDataset } from './discover.js'
import { resolvePairSize } from './filters.js'
import { type PairSelection, selectPairsWithMissing } from './pairs.js'
import { loadSubset } from './subset.js'

/** The pair filters of the configuration (`-s/-r/-t/-f/--agents`), by their config keys; null or absent = any (pair size: derived). */
export type SelectionSettings = { [K in 'subset' | 'repo' | 'taskId' | 'features' | 'pairSize']?: ResolvedConfig[K] | null }

/** A selection: the dataset, its pairs, and the subset's entries the dataset lacks (see `PairSelection`). */
export interface Selection extends PairSelection {
  dataset: Dataset
}

/** The dataset and the pairs the config's filters select; warnings go to `warn`. */
export function selectFromConfig(config: ResolvedConfig, warn: (message: string) => void): Promise<Selection> {
  return selectIn(config.datasetDir, config, warn)
}

/** Loads the dataset (unless given, loaded from `datasetDir` already) and the subset, if named, and selects the pairs the filters keep. */
export async function selectIn(datasetDir: string, filters: SelectionSettings, warn: (message: string) => void, loaded?: Dataset): Promise<Selection> {
  const dataset = loaded ?? (await loadDataset(datasetDir))
  const subset = filters.subset ? await loadSubset(datasetDir, filters.subset) : undefined
  const { pairs, subsetMissing } = selectPairsWithMissing(
    dataset,
    {
      repo: filters.repo ?? undefined,
      task: filters.taskId ?? undefined,
      subset,
      features: filters.features ?? undefined,
      pairSize: filters.pairSize ?? undefined,
    },
    warn,
  )
  return { dataset, pairs, subsetMissing }
}

/**
 * The settings with the pair size the selection implies if no layer chose one (`-f`'s size, else a `groups` subset's: `team3_clean` is 3;
 * a disagreeing subset fails at selection). Run names, fingerprints and `eval` read it here, so every command selecting pairs settles it first.
 */
export async function settlePairSize<S extends Pick<LayeredConfig, 'config' | 'layers'>>(settings: S): Promise<S> {
  const { config, layers } = settings
  if (layers.pairSize !== 'default') return settings
  // A subset that cannot be read leaves the size alone: selecting (the only use of it) reports why.
  const subset = config.subset ? await loadSubset(config.datasetDir, config.subset).catch(() => null) : undefined
  if (subset === null) return settings
  const pairSize = resolvePairSize({ subset, features: config.features ?? undefined })
  return pairSize === config.pairSize ? settings : { ...settings, config: { ...config, pairSize } }
}
