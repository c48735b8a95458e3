import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type HfHubStandIn, repoFilesFromFolder, startHfHubStandIn } from '@cooperbench/standins/hf-hub'
import { writeDataset, writeSubset } from '../../../dataset/test/fixture.js'
import { tempDir } from './helpers.js'
import { afterEveryTest } from '../../../../scripts/test/after-every.js'

export const HUB_REPO = 'cooperbench/cooperbench'

/** Big enough to arrive in many chunks, so a response can be cut off in its middle; stored with LFS. */
export const BIG_FILE = 'alpha_task/task4/combined.patch'
export const BIG_FILE_SIZE = 300_000

/**
 * A tiny dataset repo in the public dataset's layout: three tasks in two repos, subsets `lite`
 * (alpha 1, beta 7) and `flash` (alpha 4), a README, a .gitattributes, one big LFS file and one
 * empty file.
 */
export async function writeFixtureRepo(): Promise<Record<string, Buffer>> {
  const root = await tempDir('hub-repo')
  await writeDataset(root, { alpha_task: { 1: 2, 4: 3 }, beta_task: { 7: 2 } })
  await writeSubset(root, 'lite', {
    name: 'lite',
    tasks: [
      { repo: 'alpha_task', task_id: 1, pairs: [[1, 2]] },
      { repo: 'beta_task', task_id: 7 },
    ],
  })
  await writeSubset(root, 'flash', { name: 'flash', tasks: [{ repo: 'alpha_task', task_id: 4 }] })
  await writeFile(join(root, 'README.md'), '# CooperBench Dataset (test fixture)\n')
  await writeFile(join(root, '.gitattributes'), 'combined.patch filter=lfs diff=lfs merge=lfs -text\n')
  await writeFile(join(root, BIG_FILE), bigPatch(BIG_FILE_SIZE))
  await mkdir(join(root, 'beta_task', 'task7', 'notes'), { recursive: true })
  await writeFile(join(root, 'beta_task', 'task7', 'notes', 'empty.txt'), '')
  return repoFilesFromFolder(root)
}

/** `size` bytes of patch-like text whose lines all differ, so a shifted or repeated range changes the checksum. */
function bigPatch(size: number): string {
  let text = 'diff --git a/big.txt b/big.txt\n'
  for (let line = 0; text.length < size; line++) text += `+line ${line} of a large combined patch\n`
  return text.slice(0, size)
}

/** A stand-in hub serving the fixture repo (LFS for `combined.patch`, small pages), closed after the test. */
export async function startFixtureHub(files: Record<string, Buffer>, options: { token?: string } = {}): Promise<HfHubStandIn> {
  const hub = await startHfHubStandIn({ repo: HUB_REPO, files, lfs: (path) => path.endsWith('combined.patch'), pageSize: 7, ...options })
  openHubs.push(hub)
  return hub
}

const openHubs: HfHubStandIn[] = []
afterEveryTest(async () => {
  await Promise.all(openHubs.splice(0).map((hub) => hub.close()))
})
