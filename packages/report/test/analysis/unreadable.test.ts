import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { analyzeRun } from '../../src/analysis/analyze-run.js'

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
})
