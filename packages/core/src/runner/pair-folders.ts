import { chmod, cp, lstat, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SettingPair } from '@cooperbench/spec'
import type { Lifetime } from '../plugin/lifetime.js'
import { writeFileAtomic, writeJsonAtomic } from '@cooperbench/results'

/**
 * A setting's folders and files of one pair, owned by `lifetime`, its records in `dir`: what
 * `SettingPair` offers of them, also for a setting's own tests and the testkit's team checks.
 */
export function pairFolders(lifetime: Lifetime, dir: string): Pick<SettingPair, 'openFolder' | 'own' | 'writeFile' | 'copyFolder'> {
  return {
    openFolder: (label) => ownedOpenFolder(lifetime, label),
    own: (what, dispose) => lifetime.own(what, dispose),
    writeFile: (name, content) => (typeof content === 'string' ? writeFileAtomic(join(dir, name), content) : writeJsonAtomic(join(dir, name), content)),
    copyFolder: (source, name) => copyRegularFiles(source, join(dir, name)),
  }
}

/**
 * A new temp folder on the harness's host, writable by every user (a task image may run its agent
 * as a user other than the harness's), removed with `lifetime`: a setting's shared folder.
 */
async function ownedOpenFolder(lifetime: Lifetime, label: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `cooperbench-${label.replace(/[^A-Za-z0-9_-]+/g, '-')}-`))
  lifetime.own(`${label} ${dir}`, () => rm(dir, { recursive: true, force: true }))
  await chmod(dir, 0o777)
  return dir
}

/**
 * Copies a folder's regular files and folders as its agents left them into `target` (replacing it):
 * a link an agent made to a file outside (`/etc/…`) is not followed into the results.
 */
async function copyRegularFiles(source: string, target: string): Promise<void> {
  await rm(target, { recursive: true, force: true })
  await cp(source, target, {
    recursive: true,
    dereference: false,
    filter: async (path) => {
      const stat = await lstat(path).catch(() => null)
      return stat !== null && (stat.isDirectory() || stat.isFile())
    },
  })
}
