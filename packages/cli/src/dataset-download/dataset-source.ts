import { join } from 'node:path'
import { canonicalJson } from '@cooperbench/core/config'
import { readJsonIfPresent, writeJsonAtomic } from '@cooperbench/core/results'

/** Written into the dataset folder by `dataset download`: which commit of which repo its files are. */
export const DATASET_SOURCE_FILE = '.cooperbench-source.json'

/** Where a downloaded dataset came from; a run records it in its config.json (`config.dataset_source`). */
export interface DatasetSource {
  hub: string
  repo: string
  /** The revision asked for (`main`, a tag, a commit). */
  revision: string
  /** The commit the hub resolved the revision to (its `X-Repo-Commit`); null when the hub did not say. */
  commit: string | null
  /** The subset downloaded, or null for every task. */
  subset: string | null
  downloaded_at: string
}

/** Writes the record, unless the folder's says the same but for the time (a download that fetched nothing rewrites nothing). */
export async function writeDatasetSource(dir: string, source: DatasetSource): Promise<void> {
  const { downloaded_at: _then, ...before } = (await readDatasetSource(dir)) ?? { downloaded_at: '' }
  const { downloaded_at: _now, ...after } = source
  if (canonicalJson(before) === canonicalJson(after)) return
  await writeJsonAtomic(join(dir, DATASET_SOURCE_FILE), source)
}

/** The dataset folder's source record, or null for a folder `dataset download` did not write. */
export async function readDatasetSource(dir: string): Promise<DatasetSource | null> {
  const value = await readJsonIfPresent<DatasetSource>(join(dir, DATASET_SOURCE_FILE))
  return value !== null && typeof value === 'object' && typeof value.revision === 'string' ? value : null
}
