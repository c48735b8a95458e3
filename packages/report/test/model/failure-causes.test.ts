import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { scanRun } from '@cooperbench/results'
import { afterAll, describe, expect, it } from 'vitest'
import { formatReport } from '../../src/formats/text.js'
import { buildReport } from '../../src/model/report.js'

const made: string[] = []
afterAll(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))))

const agent = (status: string, failure?: string) => ({
  status,
  cost: 0,
  steps: 1,
  input_tokens: 0,
  output_tokens: 0,
  cache_read_tokens: 0,
  cache_write_tokens: 0,
  patch_lines: 0,
  error: status === 'Submitted' ? null : 'x',
  ...(failure ? { failure } : {}),
})

describe('agents that did not submit, by cause', () => {
  it('a dataset defect is counted as such, apart from infrastructure and the agent’s own failures', async () => {
    const root = await mkdtemp(join(tmpdir(), 'cb-failure-causes-'))
    made.push(root)
    const causes = [
      ['dataset', 'infra'],
      ['agent', undefined],
    ] as const
    for (const [task, [first, second]] of causes.entries()) {
      const dir = join(root, 'coop', 'a_task', String(task + 1), 'f1_f2')
      await mkdir(dir, { recursive: true })
      const agents = { agent1: { ...agent('Error', first), feature_id: 1 }, agent2: { ...agent(second ? 'Error' : 'Submitted', second), feature_id: 2 } }
      await writeFile(join(dir, 'result.json'), JSON.stringify({ repo: 'a_task', task_id: task + 1, features: [1, 2], setting: 'coop', agents }))
    }
    const report = buildReport([{ name: 'r', pairs: await scanRun(root) }])
    expect(report.settings[0]!.failures).toEqual({ infra: 1, dataset: 1, agent: 1 })
    expect(formatReport(report)).toContain("agents that did not submit: 1 infrastructure (rerun retries them), 1 a dataset defect, 1 the agent's own")
  })
})
