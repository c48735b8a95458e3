import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { analyzeRun, reportRuns } from '@cooperbench/report'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ViewerSource } from '../src/index.js'
import { writeCoopRun } from './support/written-runs.js'

/**
 * Readers never guess, and `report`, `analyze` and `view` agree because they read through one
 * reader (core's `scanRun`): an eval.json that holds `null`, a pass without feature verdicts and a
 * pass its own features contradict are each unreadable, named with path and why — never a pass,
 * a fail or "not evaluated".
 */
let logDir: string
const pairDir = (task: number) => join(logDir, 'guess', 'coop', 'textkit_task', String(task), 'f1_f2')
const feature = (id: number, passed: boolean) => ({ feature_id: id, passed, exit_code: 1, tests_passed: 0, tests_failed: 1, test_output: '' })

beforeAll(async () => {
  logDir = await mkdtemp(join(tmpdir(), 'cb-never-guessed-'))
  await writeCoopRun(logDir, { name: 'guess', messaging: true, pairs: [1, 2, 3, 4].map((task) => ({ task, pass: true })) })
  await writeFile(join(pairDir(2), 'eval.json'), 'null')
  await writeFile(join(pairDir(3), 'eval.json'), JSON.stringify({ both_passed: true }))
  await writeFile(join(pairDir(4), 'eval.json'), JSON.stringify({ both_passed: true, error: null, feature1: feature(1, false), feature2: feature(2, false) }))
})
afterAll(() => rm(logDir, { recursive: true, force: true }))

const PROBLEMS = [
  [2, 'is not an eval record (a JSON null, not an object)'],
  [3, 'is not an eval record (a verdict without its feature verdicts feature1 and feature2)'],
  [4, 'is not an eval record (both_passed is true but feature1 did not pass)'],
] as const
/** Each file, with path and why, as every reader names it. */
const named = () => PROBLEMS.map(([task, why]) => `${join(pairDir(task), 'eval.json')} ${why}`)

describe('records whose verdict would be a guess', () => {
  it('report names each file with why and counts only the one real pass', async () => {
    const report = await reportRuns({ logDir, runNames: ['guess'] })
    expect(report.unreadable.map((u) => u.problem)).toEqual(named())
    expect(report.settings[0]).toMatchObject({ pairs: 1, evaluated: 1, passed: 1, failed: 0, errors: 0 })
  })

  it('analyze gives each the outcome unreadable, with the same file and why', async () => {
    const analysis = await analyzeRun({ logDir, runName: 'guess' })
    expect(analysis.pairs.map((p) => [p.task_id, p.outcome, p.unreadable ?? []])).toEqual([
      [1, 'passed', []],
      ...PROBLEMS.map(([task], i) => [task, 'unreadable', [named()[i]]]),
    ])
    expect(analysis.summary).toMatchObject({ pairs: 4, failed: 0, unreadable: 3 })
  })

  it('the viewer gives each the state unreadable (no verdict known, not a pass) and lists the problems', async () => {
    const data = await new ViewerSource({ logDir, runs: ['guess'] }).data()
    expect(data.pairs.map((p) => [p.taskId, p.state, p.verdict])).toEqual([
      [1, 'finished', 'pass'],
      [2, 'unreadable', 'not_evaluated'],
      [3, 'unreadable', 'not_evaluated'],
      [4, 'unreadable', 'not_evaluated'],
    ])
    expect(data.runs[0]).toMatchObject({ unreadable: 3 })
    expect(data.problems).toEqual(named())
  })
})
