/**
 * Subset files with upstream's `"groups"` (N-element feature teams, PR #75: team3_*.json,
 * team4_*.json) beside or instead of `"pairs"`, the pair size they imply, and the keys a subset
 * file may hold.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadDataset } from '../src/discover.js'
import { resolvePairSize } from '../src/filters.js'
import { selectPairs } from '../src/pairs.js'
import { selectIn } from '../src/selection.js'
import { parseSubset, subsetHoldsPair, subsetPairSizes } from '../src/subset.js'
import { tempDir, writeDataset, writeSubset } from './fixture.js'

let root: string
let cleanup: () => Promise<void>

beforeAll(async () => {
  ;({ dir: root, cleanup } = await tempDir('groups'))
  await writeDataset(root, { dspy_task: { 8563: 6 }, pallets_click_task: { 2956: 8 } })
})
afterAll(() => cleanup())

const teams = (pairs: Array<{ task: { repo: string; taskId: number }; features: number[] }>) =>
  pairs.map((p) => `${p.task.repo}/${p.task.taskId}/${p.features.join(',')}`)

// An excerpt of upstream's team3_250.json: groups unsorted within a group.
const TEAM3 = {
  name: 'team3_x',
  description: 'triples',
  stats: { tasks: 2, groups: 3, group_size: 3 },
  tasks: [
    {
      repo: 'dspy_task',
      task_id: 8563,
      groups: [
        [1, 4, 6],
        [1, 3, 4],
      ],
    },
    { repo: 'pallets_click_task', task_id: 2956, groups: [[8, 6, 7]] },
  ],
}

describe('subsets with groups', () => {
  it('reads groups, each sorted, in file order, and a string task id as upstream all.json writes it', () => {
    const subset = parseSubset(JSON.stringify(TEAM3), '/d/subsets/team3_x.json')
    expect(subset.tasks.map((t) => t.groups)).toEqual([
      [
        [1, 4, 6],
        [1, 3, 4],
      ],
      [[6, 7, 8]],
    ])
    expect(subset.tasks.every((t) => t.pairs === null)).toBe(true)
    expect(subsetPairSizes(subset)).toEqual([3])
    expect(parseSubset('{"tasks":[{"repo":"r_task","task_id":"1371"}]}', '/a.json').tasks[0]?.taskId).toBe(1371)
  })

  it('selects exactly the groups, as 3-agent teams, with no --agents (the subset sets the pair size)', async () => {
    await writeSubset(root, 'team3_x', TEAM3)
    const { pairs } = await selectIn(root, { subset: 'team3_x' }, () => {})
    expect(teams(pairs)).toEqual(['dspy_task/8563/1,4,6', 'dspy_task/8563/1,3,4', 'pallets_click_task/2956/6,7,8'])
  })

  it('refuses an --agents that disagrees with the groups, with a hint naming the size', async () => {
    await writeSubset(root, 'team3_y', TEAM3)
    await expect(selectIn(root, { subset: 'team3_y', pairSize: 2 }, () => {})).rejects.toMatchObject({
      code: 'USAGE',
      message: expect.stringContaining('--agents 2 disagrees'),
      hint: expect.stringContaining('--agents 3'),
    })
  })

  it('takes pairs and groups of one entry side by side; a file mixing sizes needs --agents to pick one', async () => {
    const mixed = {
      tasks: [
        {
          repo: 'dspy_task',
          task_id: 8563,
          pairs: [[2, 5]],
          groups: [
            [1, 2, 3],
            [2, 3, 4, 5],
          ],
        },
      ],
    }
    await writeSubset(root, 'mixed', mixed)
    await expect(selectIn(root, { subset: 'mixed' }, () => {})).rejects.toMatchObject({
      code: 'USAGE',
      hint: expect.stringContaining('--agents 2 or --agents 3 or --agents 4'),
    })
    expect(teams((await selectIn(root, { subset: 'mixed', pairSize: 2 }, () => {})).pairs)).toEqual(['dspy_task/8563/2,5'])
    expect(teams((await selectIn(root, { subset: 'mixed', pairSize: 3 }, () => {})).pairs)).toEqual(['dspy_task/8563/1,2,3'])
    expect(teams((await selectIn(root, { subset: 'mixed', pairSize: 4 }, () => {})).pairs)).toEqual(['dspy_task/8563/2,3,4,5'])
  })

  it('-f a,b,c selects one triple, without --agents', async () => {
    const { pairs } = await selectIn(root, { repo: 'dspy_task', features: [3, 1, 2] }, () => {})
    expect(teams(pairs)).toEqual(['dspy_task/8563/1,2,3'])
    expect(resolvePairSize({ features: [1, 2, 3, 4] })).toBe(4)
  })

  it('drops a group naming a feature the task lacks, with a warning', async () => {
    const dataset = await loadDataset(root)
    const subset = parseSubset(
      JSON.stringify({
        tasks: [
          {
            repo: 'dspy_task',
            task_id: 8563,
            groups: [
              [1, 2, 9],
              [1, 2, 3],
            ],
          },
        ],
      }),
      '/s.json',
    )
    const warnings: string[] = []
    expect(teams(selectPairs(dataset, { subset }, (m) => warnings.push(m)))).toEqual(['dspy_task/8563/1,2,3'])
    expect(warnings).toEqual([expect.stringContaining('group [1,2,9] names feature 9')])
  })

  it('names what it skipped of the subset: tasks the dataset lacks and teams naming a feature their task lacks, within -r', async () => {
    await writeSubset(root, 'gaps', {
      tasks: [
        {
          repo: 'dspy_task',
          task_id: 8563,
          pairs: [
            [1, 9],
            [1, 2],
          ],
        },
        { repo: 'dspy_task', task_id: 99 },
        { repo: 'gone_task', task_id: 3 },
      ],
    })
    const warnings: string[] = []
    const selection = await selectIn(root, { subset: 'gaps' }, (m) => warnings.push(m))
    expect(teams(selection.pairs)).toEqual(['dspy_task/8563/1,2'])
    expect(selection.subsetMissing).toEqual(['dspy_task/99', 'gone_task/3', 'dspy_task/8563/1,9'])
    expect(warnings).toEqual([expect.stringContaining('names 2 tasks that'), expect.stringContaining('pair [1,9] names feature 9')])
    // -r keeps the subset's entries of that repo only: what it skips is of that repo too.
    expect((await selectIn(root, { subset: 'gaps', repo: 'dspy_task' }, () => {})).subsetMissing).toEqual(['dspy_task/99', 'dspy_task/8563/1,9'])
    expect((await selectIn(root, { repo: 'dspy_task' }, () => {})).subsetMissing).toEqual([])
  })

  it('eval keeps exactly the listed teams (subsetHoldsPair)', () => {
    const subset = parseSubset(JSON.stringify(TEAM3), '/t.json')
    expect(subsetHoldsPair(subset, 'dspy_task', 8563, [1, 4, 6])).toBe(true)
    expect(subsetHoldsPair(subset, 'dspy_task', 8563, [1, 2, 3])).toBe(false)
    expect(subsetHoldsPair(subset, 'dspy_task', 8563, [1, 4])).toBe(false)
    const pairsOnly = parseSubset('{"tasks":[{"repo":"dspy_task","task_id":8563,"pairs":[[1,2]]}]}', '/p.json')
    // A legacy pair list does not restrict larger teams (docs/reference-compatibility.md#dataset).
    expect(subsetHoldsPair(pairsOnly, 'dspy_task', 8563, [1, 3, 5])).toBe(true)
    expect(subsetHoldsPair(pairsOnly, 'dspy_task', 8563, [1, 3])).toBe(false)
  })
})

describe('unknown keys in a subset file', () => {
  it.each([
    ['a misspelt top-level key', { tasks: [{ repo: 'dspy_task', task_id: 8563 }], group: [] }, '(root).group: unknown key'],
    ['a misspelt entry key ("group")', { tasks: [{ repo: 'dspy_task', task_id: 8563, group: [[1, 2, 3]] }] }, 'tasks[0].group: unknown key'],
    ['a group naming a feature twice', { tasks: [{ repo: 'dspy_task', task_id: 8563, groups: [[1, 1, 3]] }] }, 'tasks[0].groups[0]: names a feature twice'],
    ['a one-feature group', { tasks: [{ repo: 'dspy_task', task_id: 8563, groups: [[1]] }] }, 'tasks[0].groups[0]: must be two or more feature ids'],
  ])('%s is SUBSET_INVALID, never an empty or whole selection', async (_, content, problem) => {
    const name = `bad${Math.random().toString(36).slice(2, 8)}`
    await writeSubset(root, name, content)
    await expect(selectIn(root, { subset: name }, () => {})).rejects.toMatchObject({
      code: 'SUBSET_INVALID',
      details: expect.arrayContaining([expect.stringContaining(problem)]),
    })
  })

  it('accepts the keys upstream files hold (name, description, stats, curation)', () => {
    const text = JSON.stringify({ name: 'flash_10', description: 'd', stats: {}, curation: { source: 'flash' }, tasks: [] })
    expect(parseSubset(text, '/f.json').tasks).toEqual([])
  })
})
