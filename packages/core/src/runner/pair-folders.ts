import { chmod, cp, lstat, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SettingPair } from '@cooperbench/spec'
import type { Lifetime } from '../plugin/lifetime.js'
import { writeFileAtomic, writeJsonAtomic } from '@cooperbench/results'

/** What `SettingPair` offers of a pair's folders and files (owned by `lifetime`, records in `dir`); also for settings' tests. */
export function pairFolders(lifetime: Lifetime, dir: string): Pick<SettingPair, 'openFolder' | 'own' | 'writeFile' | 'copyFolder'> {
  return {
    openFolder: (label) => ownedOpenFolder(lifetime, label),
    own: (what, dispose) => lifetime.own(what, dispose),
    writeFile: (name, content) => (typeof content === 'string' ? writeFileAtomic(join(dir, name), content) : writeJsonAtomic(join(dir, name), content)),
    copyFolder: (source, name) => copyRegularFiles(source, join(dir, name)),
  }
}

/** A setting's shared folder: a new host temp folder, writable by all (an image may run its agent as another user), removed with `lifetime`. */
async function ownedOpenFolder(lifetime: Lifetime, label: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `cooperbench-${label.replace(/[^A-Za-z0-9_-]+/g, '-')}-`))
  lifetime.own(`${label} ${dir}`, () => rm(dir, { recursive: true, force: true }))
  await chmod(dir, 0o777)
  return dir
}

/** Copies a folder's regular files and folders into `target` (replacing it): an agent's link to `/etc/…` is not followed into the results. */
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
