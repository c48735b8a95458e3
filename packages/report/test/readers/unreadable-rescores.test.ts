import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { reportRuns } from '../../src/readers/read-report.js'
import { writeRun } from '../support/pair-folders.js'

const made: string[] = []
afterAll(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))))

describe("a re-score's verdict that cannot be read", () => {
  it('is named like any unreadable file, each file once, and left out of that policy’s rate', async () => {
    const logDir = await mkdtemp(join(tmpdir(), 'cb-unreadable-rescore-'))
    made.push(logDir)
    const clean = { status: 'clean', strategy: 'naive' } as const
    await writeRun(join(logDir, 'r'), [
      { setting: 'coop', repo: 'a_task', features: [1, 2], verdict: 'pass', merge: clean },
      { setting: 'coop', repo: 'a_task', features: [1, 3], verdict: 'pass', merge: clean },
      { setting: 'coop', repo: 'a_task', features: [2, 3], verdict: 'pass', merge: clean },
    ])
    const pair = (features: string) => join(logDir, 'r', 'coop', 'a_task', '1', features)
    const rescore = 'eval.cooperbench-0.0.16.json'
    await copyFile(join(pair('f1_f2'), 'eval.json'), join(pair('f1_f2'), rescore))
    await writeFile(join(pair('f1_f3'), rescore), 'null')
    await writeFile(join(pair('f2_f3'), 'result.json'), '{')

    const report = await reportRuns({ logDir, runNames: ['r'] })
    expect(report.unreadable.map((u) => u.problem)).toEqual([
      `${join(pair('f2_f3'), 'result.json')} is not valid JSON (truncated or corrupt)`,
      `${join(pair('f1_f3'), rescore)} is not an eval record (a JSON null, not an object)`,
    ])
    const row = report.settings[0]!
    expect(row).toMatchObject({ pairs: 2, passed: 2 })
    expect(row.policies.map((p) => [p.file, p.evaluated, p.passed])).toEqual([
      ['eval.json', 2, 2],
      [rescore, 1, 1],
    ])
  })
})
