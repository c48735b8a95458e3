import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { isCooperbenchError } from '@cooperbench/spec'
import { analyzeRun } from '../../src/analysis/analyze-run.js'
import { readRunAnalysis } from '../../src/readers/run-analysis.js'
import { writeRun } from '../support/pair-folders.js'

const made: string[] = []
afterAll(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))))

describe('analyze on a record it cannot read', () => {
  it('names the file and why, and counts the pair as unreadable, not as failed or unevaluated', async () => {
    const logDir = await mkdtemp(join(tmpdir(), 'cb-analyze-unreadable-'))
    made.push(logDir)
    const dir = join(logDir, 'r', 'coop', 'a_task', '1', 'f1_f2')
    await mkdir(dir, { recursive: true })
    const agent = {
      status: 'Submitted',
      cost: 0,
      steps: 1,
      input_tokens: 0,
      output_tokens: 0,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
      patch_lines: 1,
      error: null,
    }
    await writeFile(
      join(dir, 'result.json'),
      JSON.stringify({
        repo: 'a_task',
        task_id: 1,
        features: [1, 2],
        setting: 'coop',
        agents: { agent1: { ...agent, feature_id: 1 }, agent2: { ...agent, feature_id: 2 } },
      }),
    )
    // A passing pair's verdict under another tool's key.
    await writeFile(join(dir, 'eval.json'), JSON.stringify({ repo: 'a_task', task_id: 1, features: [1, 2], setting: 'coop', passed: true, error: null }))
    const analysis = await analyzeRun({ logDir, runName: 'r' })
    expect(analysis.pairs[0]).toMatchObject({
      outcome: 'unreadable',
      unreadable: [`${join(dir, 'eval.json')} is not an eval record (both_passed is not true or false, and there is no error)`],
    })
    expect(analysis.summary).toMatchObject({ pairs: 1, failed: 0, unreadable: 1 })
  })

  it.each([
    ['{"pairs": 3}', '"pairs" is not a list'],
    ['{"pairs": [1, 2]}', '"summary" is not an object'],
    ['[]', 'it is not a JSON object'],
    ['null', 'is not a record (it holds JSON null)'],
    ['{"pairs": [', 'is not valid JSON'],
  ])('an analysis.json of another shape (%s) is an error naming the file and what is wrong, and --force rewrites it', async (content, what) => {
    const logDir = await mkdtemp(join(tmpdir(), 'cb-analyze-bad-analysis-'))
    made.push(logDir)
    await writeRun(join(logDir, 'r'), [{ setting: 'coop', repo: 'a_task', verdict: 'fail', merge: { status: 'clean', strategy: 'naive' } }])
    const path = join(logDir, 'r', 'analysis.json')
    await writeFile(path, content)
    const refused = await analyzeRun({ logDir, runName: 'r' }).catch((error: unknown) => error)
    expect(isCooperbenchError(refused), String(refused)).toBe(true)
    expect(refused).toMatchObject({
      code: 'FILESYSTEM',
      message: expect.stringContaining(path),
      hint: expect.stringContaining('cooperbench analyze -n r --force'),
    })
    expect((refused as Error).message).toContain(what)
    await analyzeRun({ logDir, runName: 'r', force: true })
    expect((await readRunAnalysis(join(logDir, 'r'))).problem).toBeNull()
  })
})
