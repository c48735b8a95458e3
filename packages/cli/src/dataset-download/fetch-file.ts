import { mkdir, open, rename, rm, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { downloadFile } from '@huggingface/hub'
import { CooperbenchError, isCooperbenchError } from '@cooperbench/core'
import { fileDigest } from './checksum.js'
import { hubFailure } from './hub-errors.js'
import type { HubFile } from './hub-listing.js'
import { type HubLocation, manualCloneCommand } from './hub-location.js'
import { trackedFetch } from './tracked-fetch.js'

export interface FetchFileOptions {
  file: HubFile
  location: HubLocation
  /** The dataset folder as the user named it (files go to `<dir>/<path>`). */
  dir: string
  signal: AbortSignal
  /** The bytes of this file on disk changed by `delta` (negative when a download starts over). */
  onBytes: (delta: number) => void
}

export type FetchOutcome = 'downloaded' | 'resumed'

/** Where a file is written while it downloads; renamed to its real name once verified. */
function partialPathOf(destination: string) {
  return `${destination}.partial`
}

/**
 * Downloads one file to `<file>.partial` (resuming an earlier attempt's with a Range request), checks the hub's checksum, renames it
 * into place. A failed check deletes it; after a resume (kept bytes may be an older revision's) it is first fetched again whole.
 */
export async function fetchHubFile(options: FetchFileOptions): Promise<FetchOutcome> {
  const destination = join(options.dir, options.file.path)
  const partial = partialPathOf(destination)
  await mkdir(dirname(partial), { recursive: true })
  const kept = await keptBytes(partial, options.file.size)
  const expected = options.file.checksum.expected.toLowerCase()
  let result = await transfer(options, partial, kept)
  if (result.digest !== expected && kept > 0) {
    options.onBytes(-result.bytes)
    result = await transfer(options, partial, 0)
  }
  if (result.digest !== expected) {
    await rm(partial, { force: true })
    options.onBytes(-result.bytes)
    throw checksumMismatch(options, destination, result.digest)
  }
  await rename(partial, destination)
  return kept > 0 ? 'resumed' : 'downloaded'
}

/** Bytes of an earlier attempt worth keeping; a leftover larger than the file is removed. */
async function keptBytes(partial: string, size: number) {
  const info = await stat(partial).catch(() => null)
  if (info === null) return 0
  if (!info.isFile() || info.size > size) {
    await rm(partial, { recursive: true, force: true })
    return 0
  }
  return info.size
}

/** Appends the file's bytes from `from` on to `partial` (all of them when `from` is 0) and returns the checksum of the whole. */
async function transfer(options: FetchFileOptions, partial: string, from: number): Promise<{ digest: string; bytes: number }> {
  const { file, signal } = options
  options.onBytes(from)
  let written = from
  const tracker = trackedFetch(signal, from)
  const handle = await open(partial, from > 0 ? 'a' : 'w')
  try {
    for await (const chunk of from < file.size ? await openBody(options, from, tracker.fetch) : []) {
      if (tracker.rangeIgnored) {
        // The hub sent the whole file instead of the rest: start the file over.
        tracker.rangeIgnored = false
        await handle.truncate(0)
        options.onBytes(-written)
        written = 0
      }
      await handle.write(chunk)
      written += chunk.length
      options.onBytes(chunk.length)
      if (written > file.size) break
    }
  } catch (error) {
    if (signal.aborted) throw signal.reason
    if (isCooperbenchError(error)) throw error
    throw hubFailure([error, tracker.failure], options.location, options.dir, file.path) ?? connectionLost(options, written)
  } finally {
    await handle.close()
  }
  return { digest: await fileDigest(partial, written, file.checksum.algorithm), bytes: written }
}

/** The file's bytes from `from` on, through the hub client (a Range request when `from` > 0). */
async function openBody(options: FetchFileOptions, from: number, trackingFetch: typeof fetch): Promise<AsyncIterable<Uint8Array>> {
  const { file, location } = options
  const { repo, revision, hubUrl, accessToken } = location
  const blob = await downloadFile({ repo, path: file.path, revision, hubUrl, accessToken, fetch: trackingFetch })
  if (blob === null) {
    throw new CooperbenchError('DATASET_NOT_FOUND', `${file.path} is not on the hub at commit ${revision}, though the listing named it`, {
      hint: 'Check that HF_ENDPOINT is a real Hugging Face hub or mirror, then run the command again.',
    })
  }
  return (from > 0 ? blob.slice(from) : blob).stream()
}

function checksumMismatch(options: FetchFileOptions, destination: string, actual: string) {
  const { algorithm, expected } = options.file.checksum
  return new CooperbenchError(
    'DATASET_INVALID',
    `checksum mismatch for ${destination}: the hub lists ${algorithm} ${expected}, the download hashes to ${actual}; the file was deleted`,
    {
      hint: `Run the command again to fetch it afresh; if it fails again the hub (HF_ENDPOINT) serves a damaged copy: report it, or clone by hand with \`${manualCloneCommand(options.dir)}\`.`,
    },
  )
}

function connectionLost(options: FetchFileOptions, written: number) {
  const { file } = options
  const destination = join(options.dir, file.path)
  return new CooperbenchError(
    'DATASET_NOT_FOUND',
    `lost the connection to the hub while downloading ${destination} (${written} of ${file.size} bytes kept in ${partialPathOf(destination)})`,
    { hint: `Run the same command again: it resumes ${file.path} from byte ${written} and skips the finished files.` },
  )
}
