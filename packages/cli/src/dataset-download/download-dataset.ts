import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CooperbenchError, isCooperbenchError } from '@cooperbench/core'
import { canonicalJson } from '@cooperbench/config'
import { DATASET_SOURCE_FILE, type DatasetSource, parseSubset, readDatasetSource } from '@cooperbench/dataset'
import { isoNow, writeJsonAtomic } from '@cooperbench/results'
import { fileMatches } from './checksum.js'
import { fetchHubFile } from './fetch-file.js'
import { type HubFile, listHubFiles } from './hub-listing.js'
import { describeLocation, type HubLocation } from './hub-location.js'
import type { DownloadProgress } from './progress.js'
import { filesOfSubset, findSubsetFile } from './subset-files.js'
import { forEachConcurrently } from './worker-pool.js'

export interface DownloadDatasetOptions {
  /** The dataset folder as the user named it. */
  dir: string
  location: HubLocation
  /** Only this subset's tasks (and its subset file), or everything. */
  subset: string | null
  concurrency: number
  signal: AbortSignal
  progress: DownloadProgress
}

export interface DownloadSummary {
  /** Files of the dataset (or subset) at the revision. */
  files: number
  /** Files that were already there with the right checksum. */
  present: number
  /** Files fetched whole this run. */
  downloaded: number
  /** Files this run finished from a partial download. */
  resumed: number
  /** Total size of the files fetched or finished this run. */
  bytes: number
  /** The commit the revision resolved to (recorded in `<dir>/.cooperbench-source.json`). */
  commit: string
}

/** Updates `<dir>` to the dataset repo's revision, fetching files whose checksum differs; records the commit in `<dir>/.cooperbench-source.json`. */
export async function downloadDataset(options: DownloadDatasetOptions): Promise<DownloadSummary> {
  try {
    return await fetchMissingFiles(options)
  } catch (error) {
    // Whatever an interrupt broke (the listing, a transfer) ends as one INTERRUPTED error.
    if (options.signal.aborted && !(isCooperbenchError(error) && error.code === 'INTERRUPTED')) throw interrupted(options.dir, null)
    throw error
  }
}

async function fetchMissingFiles(options: DownloadDatasetOptions): Promise<DownloadSummary> {
  const { location, progress, signal } = options
  progress.note(`listing ${describeLocation(location)}`)
  const listing = await listHubFiles(location, signal, options.dir)
  const summary: DownloadSummary = { files: 0, present: 0, downloaded: 0, resumed: 0, bytes: 0, commit: listing.commit }
  const fetchFile = async (file: HubFile, fileSignal: AbortSignal, onBytes: (delta: number) => void) => {
    // Every file comes from the listed commit, even if the revision is a branch that moves meanwhile.
    const outcome = await fetchHubFile({ file, location: { ...location, revision: listing.commit }, dir: options.dir, signal: fileSignal, onBytes })
    summary[outcome]++
    summary.bytes += file.size
    return outcome
  }
  let files = listing.files
  if (options.subset !== null) {
    const subsetFile = findSubsetFile(files, options.subset, location.revision)
    if (!(await isPresent(options.dir, subsetFile))) await fetchFile(subsetFile, signal, () => {})
    const path = join(options.dir, subsetFile.path)
    files = filesOfSubset(files, parseSubset(await readFile(path, 'utf8'), path, options.subset), subsetFile)
  }

  const missing = await filesToFetch(files, options)
  const fetchedEarly = summary.downloaded + summary.resumed
  summary.files = files.length
  summary.present = files.length - missing.length - fetchedEarly
  progress.start({ toFetch: missing.length, bytes: missing.reduce((sum, f) => sum + f.size, 0), present: summary.present })
  try {
    await forEachConcurrently(missing, options.concurrency, signal, async (file, poolSignal) => {
      progress.fileDone(join(options.dir, file.path), await fetchFile(file, poolSignal, (delta) => progress.bytes(delta)))
    })
  } finally {
    progress.stop()
  }
  if (signal.aborted) throw interrupted(options.dir, { ...summary, toFetch: missing.length + fetchedEarly })
  await writeDatasetSource(options.dir, {
    hub: location.hubUrl,
    repo: location.repo.name,
    revision: location.revision,
    commit: listing.commit,
    subset: options.subset,
    downloaded_at: isoNow(),
  })
  return summary
}

/** The files not yet on disk with their checksum, checked `concurrency` at a time. */
async function filesToFetch(files: HubFile[], options: DownloadDatasetOptions): Promise<HubFile[]> {
  const present = new Set<string>()
  await forEachConcurrently(files, options.concurrency, options.signal, async (file) => {
    if (await isPresent(options.dir, file)) present.add(file.path)
  })
  if (options.signal.aborted) throw interrupted(options.dir, null)
  return files.filter((file) => !present.has(file.path))
}

function isPresent(dir: string, file: HubFile) {
  return fileMatches(join(dir, file.path), file.size, file.checksum)
}

function interrupted(dir: string, progress: (DownloadSummary & { toFetch: number }) | null) {
  const done = progress === null ? '' : `: ${progress.downloaded + progress.resumed} of ${progress.toFetch} file(s) fetched into ${dir}`
  return new CooperbenchError('INTERRUPTED', `download interrupted${done}`, {
    hint: 'Run the same command again to continue: finished files are kept and partial ones resume where they stopped.',
  })
}

/** Writes the record, unless the folder's says the same but for the time (a download that fetched nothing rewrites nothing). */
async function writeDatasetSource(dir: string, source: DatasetSource) {
  const { downloaded_at: _then, ...before } = (await readDatasetSource(dir)) ?? { downloaded_at: '' }
  const { downloaded_at: _now, ...after } = source
  if (canonicalJson(before) === canonicalJson(after)) return
  await writeJsonAtomic(join(dir, DATASET_SOURCE_FILE), source)
}
