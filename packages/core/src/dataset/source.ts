import { join } from 'node:path'
import { readJsonIfPresent } from '@cooperbench/results'

/** Written into the dataset folder by `dataset download`: which commit of which repo its files are. */
export const DATASET_SOURCE_FILE = '.cooperbench-source.json'

/** Where a downloaded dataset came from; a run records it in its config.json (`config.dataset_source`). */
export interface DatasetSource {
  hub: string
  repo: string
  /** The revision asked for (`main`, a tag, a commit). */
  revision: string
  /** The commit the hub resolved the revision to; null in a record of an older download whose hub did not say. */
  commit: string | null
  /** The subset downloaded, or null for every task. */
  subset: string | null
  downloaded_at: string
}

/** The dataset folder's source record, or null for a folder `dataset download` did not write. */
export async function readDatasetSource(dir: string): Promise<DatasetSource | null> {
  const value = await readJsonIfPresent<DatasetSource>(join(dir, DATASET_SOURCE_FILE))
  return value !== null && typeof value === 'object' && typeof value.revision === 'string' ? value : null
}
