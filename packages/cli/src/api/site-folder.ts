import { existsSync } from 'node:fs'
import { mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { CooperbenchError } from '@cooperbench/core'
import { makeDirectory } from '@cooperbench/results'
import { checkWritableFolder } from './output-target.js'

/** The file that marks a folder as a site `cooperbench leaderboard` wrote: only such a folder is replaced. */
export const SITE_MARK = 'leaderboard.json'

/**
 * Refuses, before any work, a site folder that is a file, that cannot be written, or that holds
 * something else than an earlier site: the new one replaces the folder whole, and must never take a
 * user's files with it.
 */
export async function checkSiteTarget(out: string): Promise<void> {
  await checkWritableFolder(dirname(out), '-o/--output', out)
  const info = await stat(out).catch(() => null)
  if (info === null) return
  const hint = 'Name a new folder, or one an earlier `cooperbench leaderboard` wrote (it is replaced whole).'
  if (!info.isDirectory()) throw new CooperbenchError('USAGE', `${out} is a file: -o names the site's folder`, { hint })
  if ((await readdir(out)).length > 0 && !existsSync(join(out, SITE_MARK)))
    throw new CooperbenchError('USAGE', `${out} holds files that are not a leaderboard site (no ${SITE_MARK})`, { hint })
}

/**
 * A folder beside `out` to build the site in: on the same file system, so it is moved into place by
 * a rename. Its parent is made when missing.
 */
export async function siteStaging(out: string): Promise<string> {
  await makeDirectory(dirname(out))
  return mkdtemp(join(dirname(out), `.${basename(out)}.building-`))
}

/**
 * Puts the built site at `out` by renames: a reader sees the old site or the new one, never half of
 * one. The old one is removed after.
 */
export async function moveSiteIntoPlace(staging: string, out: string): Promise<void> {
  const old = existsSync(out) ? `${staging}.old` : null
  if (old !== null) await rename(out, old)
  try {
    await rename(staging, out)
  } catch (error) {
    if (old !== null) await rename(old, out)
    throw error
  }
  if (old !== null) await rm(old, { recursive: true, force: true })
}
