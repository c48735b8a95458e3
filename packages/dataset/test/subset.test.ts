import { describe, expect, it } from 'vitest'
import { isCooperbenchError } from '@cooperbench/spec'
import { listSubsets, loadSubset, parseSubset } from '../src/subset.js'
import { tempDir, writeSubset } from './fixture.js'

/** The CooperbenchError `fn` throws. */
function errorOf(fn: () => unknown): { code: string; message: string; hint: string | undefined; details: string[] } {
  try {
    fn()
  } catch (error) {
    if (isCooperbenchError(error)) return error
    throw error
  }
  throw new Error('expected a CooperbenchError')
}

describe('parseSubset', () => {
  it('reads the shipped format (excerpt of flash.json)', () => {
    const subset = parseSubset(
      JSON.stringify({
        name: 'flash',
        description: '50-pair dev subset',
        stats: { tasks: 20, pairs: 50, repos: 11 },
        tasks: [
          {
            repo: 'dottxt_ai_outlines_task',
            task_id: 1655,
            pairs: [
              [6, 7],
              [7, 10],
            ],
          },
          {
            repo: 'openai_tiktoken_task',
            task_id: 0,
            pairs: [
              [2, 9],
              [3, 6],
              [6, 8],
            ],
          },
          { repo: 'pallets_jinja_task', task_id: 1621 },
        ],
      }),
      '/d/subsets/flash.json',
    )
    expect(subset).toEqual({
      name: 'flash',
      path: '/d/subsets/flash.json',
      description: '50-pair dev subset',
      tasks: [
        {
          repo: 'dottxt_ai_outlines_task',
          taskId: 1655,
          pairs: [
            [6, 7],
            [7, 10],
          ],
          groups: null,
        },
        {
          repo: 'openai_tiktoken_task',
          taskId: 0,
          pairs: [
            [2, 9],
            [3, 6],
            [6, 8],
          ],
          groups: null,
        },
        { repo: 'pallets_jinja_task', taskId: 1621, pairs: null, groups: null },
      ],
    })
  })

  it('writes a reversed pair ascending', () => {
    const subset = parseSubset('{"tasks":[{"repo":"r_task","task_id":1,"pairs":[[5,2]]}]}', '/x.json')
    expect(subset.tasks[0]?.pairs).toEqual([[2, 5]])
  })

  it('names the JSON path of every shape problem', () => {
    const error = errorOf(() =>
      parseSubset(
        JSON.stringify({
          tasks: [
            { repo: 'a_task', task_id: 1 },
            // A digit string is a task id (upstream's all.json); other strings are not.
            { repo: 'a_task', task_id: 'two' },
            { repo: 7, task_id: 3 },
            { repo: 'b_task', task_id: 4, pairs: [[1, 2], [1], [3, 3], [1, 2.5]] },
            'c_task',
            { repo: 'a_task', task_id: 1 },
          ],
        }),
        '/d/subsets/bad.json',
      ),
    )
    expect(error.code).toBe('SUBSET_INVALID')
    expect(error.message).toBe('/d/subsets/bad.json: tasks[1].task_id: must be a non-negative integer, got "two" (and 6 more problems)')
    expect(error.details).toEqual([
      'tasks[1].task_id: must be a non-negative integer, got "two"',
      'tasks[2].repo: must be a repo folder name, got 7',
      'tasks[3].pairs[1]: must be two feature ids like [1, 2], got [1]',
      'tasks[3].pairs[2]: names feature 3 twice; a pair needs two different features',
      'tasks[3].pairs[3]: must be two feature ids like [1, 2], got [1,2.5]',
      expect.stringMatching(/^tasks\[4\]: must be an object like .*, got "c_task"$/),
      'tasks[5]: repeats a_task/1 from tasks[0]',
    ])
    expect(error.hint).toContain('"pairs" and "groups" are optional')
  })

  it('requires a tasks array', () => {
    expect(errorOf(() => parseSubset('[]', '/s.json')).message).toBe('/s.json: (root): must be an object with a "tasks" array')
    expect(errorOf(() => parseSubset('{"tasks": {}}', '/s.json')).message).toBe('/s.json: tasks: must be an array of task entries')
  })
})

describe('loadSubset / listSubsets', () => {
  it('accepts `lite.json` for `lite`, rejects names with folders, lists what exists', async () => {
    const { dir, cleanup } = await tempDir('subsets')
    try {
      expect(await listSubsets(dir)).toEqual([])
      await expect(loadSubset(dir, 'lite')).rejects.toMatchObject({
        code: 'SUBSET_NOT_FOUND',
        hint: expect.stringMatching(/has no subset files.*`cooperbench dataset download --subset lite` fetches it/),
      })
      // The subsets upstream's recent results use are named alike.
      for (const name of ['core', 'flash_10', 'spark', 'team3_clean']) {
        await expect(loadSubset(dir, name)).rejects.toMatchObject({ hint: expect.stringContaining(`download --subset ${name}\` fetches it`) })
      }

      await writeSubset(dir, 'lite', { tasks: [] })
      await writeSubset(dir, 'flash', { tasks: [] })
      expect(await listSubsets(dir)).toEqual(['flash', 'lite'])
      expect((await loadSubset(dir, 'lite.json')).name).toBe('lite')
      await expect(loadSubset(dir, 'lyte')).rejects.toMatchObject({ hint: expect.stringMatching(/^Did you mean "lite"\? Available subsets: flash, lite\.$/) })
      await expect(loadSubset(dir, '../lite')).rejects.toMatchObject({ code: 'USAGE' })
    } finally {
      await cleanup()
    }
  })
})

describe('task manifests (cooperbench.json) against their schema', () => {
  it('accepts the local section and unknown keys; names the first problem otherwise', async () => {
    const { parseTaskManifest } = await import('../src/manifest.js')
    expect(parseTaskManifest('{"local": {"hostTools": ["bash", "git"]}, "later": 1}', '/t/cooperbench.json')).toEqual({ local: { hostTools: ['bash', 'git'] } })
    expect(parseTaskManifest('{}', '/t/cooperbench.json')).toEqual({})
    const problem = (text: string) => errorOf(() => parseTaskManifest(text, '/t/cooperbench.json')).message
    expect(problem('[]')).toBe('/t/cooperbench.json must be a JSON object')
    expect(problem('{"local": null}')).toBe('/t/cooperbench.json "local" must be an object')
    expect(problem('{"local": {}}')).toBe('/t/cooperbench.json "local.hostTools" must be an array of tool names')
    expect(problem('{"local": {"hostTools": ["bash", " "]}}')).toBe('/t/cooperbench.json "local.hostTools[1]" must be a non-empty string, got " "')
  })
})
