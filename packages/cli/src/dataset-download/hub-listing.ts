import { datasetInfo, listFiles, type ListFileEntry } from '@huggingface/hub'
import { CooperbenchError } from '@cooperbench/core'
import type { Checksum } from './checksum.js'
import { hubFailure } from './hub-errors.js'
import { describeLocation, type HubLocation } from './hub-location.js'
import { trackedFetch } from './tracked-fetch.js'

/** A file of the dataset repo: its path in the repo, size and the checksum the hub gives for it. */
export interface HubFile {
  path: string
  size: number
  checksum: Checksum
}

/** The revision's commit (info `sha`, as the client's snapshot download reads it) and all its files in one listing, so a moving branch cannot mix commits. */
export async function listHubFiles(location: HubLocation, signal: AbortSignal, dir: string): Promise<{ files: HubFile[]; commit: string }> {
  const request = { hubUrl: location.hubUrl, accessToken: location.accessToken, fetch: trackedFetch(signal).fetch }
  const files: HubFile[] = []
  try {
    const { sha: commit } = await datasetInfo({ ...request, name: location.repo.name, revision: location.revision, additionalFields: ['sha'] })
    if (typeof commit !== 'string' || commit === '') {
      throw new CooperbenchError('DATASET_INVALID', `the hub's revision info for ${describeLocation(location)} names no commit (sha)`, {
        hint: 'Check that HF_ENDPOINT is a Hugging Face hub or a mirror of its API; nothing was written.',
      })
    }
    for await (const entry of listFiles({ ...request, repo: location.repo, revision: commit, recursive: true })) {
      if (entry.type === 'file') files.push(hubFileOf(entry, location))
    }
    return { files: files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), commit }
  } catch (error) {
    if (signal.aborted) throw signal.reason
    throw hubFailure([error], location, dir, 'listing') ?? error
  }
}

function hubFileOf(entry: ListFileEntry, location: HubLocation): HubFile {
  if (!isSafeRepoPath(entry.path)) {
    throw new CooperbenchError('DATASET_INVALID', `${describeLocation(location)} lists a file outside the repo: ${JSON.stringify(entry.path)}`, {
      hint: 'Check that HF_ENDPOINT is a real Hugging Face hub or mirror; nothing was written.',
    })
  }
  const checksum: Checksum | null = entry.lfs
    ? { algorithm: 'sha256', expected: entry.lfs.oid }
    : entry.oid
      ? { algorithm: 'git-blob-sha1', expected: entry.oid }
      : null
  if (checksum === null) {
    throw new CooperbenchError('DATASET_INVALID', `${describeLocation(location)} lists ${entry.path} without a checksum (no oid), so it cannot be verified`, {
      hint: 'Check that HF_ENDPOINT is a Hugging Face hub (its tree listing gives every file an oid).',
    })
  }
  return { path: entry.path, size: entry.lfs?.size ?? entry.size, checksum }
}

/** A relative path of plain segments: no `..`, no absolute or drive path, no backslash, no empty segment. */
export function isSafeRepoPath(path: string): boolean {
  if (path === '' || path.includes('\\') || path.includes('\0') || /^[a-zA-Z]:/.test(path)) return false
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..')
}
