import { readdirSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { loadDataset, selectPairs, listSubsets, loadSubset } from '@cooperbench/dataset'
import { validateDataset } from '../../src/dataset-check/index.js'

/** The demo dataset shipped in this repository (`<repo root>/dataset`). */
const DEMO = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../dataset')

function hasRepoFolders(dir: string): boolean {
  try {
    return readdirSync(dir).some((name) => name.endsWith('_task'))
  } catch {
    return false
  }
}

/**
 * These tests are about the shipped data, not the loader: when one fails, fix the files under
 * dataset/ (or the script that generates them).
 */
describe.skipIf(!hasRepoFolders(DEMO))('shipped demo dataset (dataset/)', () => {
  it('loads, and every task ships a bundle, a base commit and a local manifest', async () => {
    const dataset = await loadDataset(DEMO)
    expect(dataset.tasks.length).toBeGreaterThan(0)
    for (const task of dataset.tasks) {
      const name = `${task.repo}/task${task.taskId}`
      expect(task.source.bundlePath, `${name}: repo.bundle`).not.toBeNull()
      expect(task.source.baseCommit, `${name}: base commit`).toMatch(/^[0-9a-f]{40}$/)
      expect(task.manifest?.local?.hostTools, `${name}: cooperbench.json local.hostTools`).toEqual(expect.any(Array))
    }
    expect(selectPairs(dataset, {}).length).toBeGreaterThan(0)
  })

  it('validates without errors', async () => {
    const dataset = await loadDataset(DEMO, { tolerant: true })
    const errors = (await validateDataset(dataset)).filter((problem) => problem.severity === 'error')
    expect(errors.map((e) => `${e.path}: ${e.problem}`)).toEqual([])
  })

  it('each shipped subset selects as many pairs as its informational stats say, without warnings', async () => {
    const dataset = await loadDataset(DEMO)
    for (const name of await listSubsets(DEMO)) {
      const subset = await loadSubset(DEMO, name)
      const stats = (JSON.parse(await readFile(subset.path, 'utf8')) as { stats?: { pairs?: number } }).stats
      const warnings: string[] = []
      const pairs = selectPairs(dataset, { subset }, (message) => warnings.push(message))
      expect(warnings, `subset ${name}`).toEqual([])
      if (stats?.pairs !== undefined) expect(pairs.length, `subset ${name}: stats.pairs`).toBe(stats.pairs)
    }
  })
})
