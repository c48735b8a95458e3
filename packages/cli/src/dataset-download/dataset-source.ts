import { join } from 'node:path'
import { canonicalJson } from '@cooperbench/core/config'
import { DATASET_SOURCE_FILE, type DatasetSource, readDatasetSource } from '@cooperbench/dataset'
import { writeJsonAtomic } from '@cooperbench/core/results'

/** Writes the record, unless the folder's says the same but for the time (a download that fetched nothing rewrites nothing). */
export async function writeDatasetSource(dir: string, source: DatasetSource): Promise<void> {
  const { downloaded_at: _then, ...before } = (await readDatasetSource(dir)) ?? { downloaded_at: '' }
  const { downloaded_at: _now, ...after } = source
  if (canonicalJson(before) === canonicalJson(after)) return
  await writeJsonAtomic(join(dir, DATASET_SOURCE_FILE), source)
}
