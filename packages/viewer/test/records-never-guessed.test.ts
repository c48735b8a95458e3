import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { analyzeRun, reportRuns } from '@cooperbench/report'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { matches } from '../app/src/pair-list/list-query.ts'
import { ViewerSource } from '../src/index.js'
import { writeCoopRun } from './support/written-runs.js'

/**
 * Readers never guess, and `report`, `analyze` and `view` agree because they read through one
 * reader (core's `scanRun`): an eval.json that holds `null`, a pass without feature verdicts and a
 * pass its own features contradict are each unreadable, named with path and why — never a pass,
 * a fail or "not evaluated"; so are a verdict copied from another pair and a result.json that does
 * not say whose it is (no task_id, features or task_id of the wrong type) or is torn.
 */
let logDir: string
const pairDir = (task: number, run = 'guess') => join(logDir, run, 'coop', 'textkit_task', String(task), 'f1_f2')
const feature = (id: number, passed: boolean) => ({ feature_id: id, passed, exit_code: 1, tests_passed: 0, tests_failed: 1, test_output: '' })

beforeAll(async () => {
  logDir = await mkdtemp(join(tmpdir(), 'cb-never-guessed-'))
  await writeCoopRun(logDir, { name: 'guess', messaging: true, pairs: [1, 2, 3, 4].map((task) => ({ task, pass: true })) })
  await writeFile(join(pairDir(2), 'eval.json'), 'null')
  await writeFile(join(pairDir(3), 'eval.json'), JSON.stringify({ both_passed: true }))
  await writeFile(join(pairDir(4), 'eval.json'), JSON.stringify({ both_passed: true, error: null, feature1: feature(1, false), feature2: feature(2, false) }))

  // Records of another pair, or without the fields that say whose they are; every eval.json but task 2's passes.
  await writeCoopRun(logDir, { name: 'copied', messaging: true, pairs: [1, 2, 3, 4, 5, 6].map((task) => ({ task, pass: task !== 2 })) })
  const passing = JSON.parse(await readFile(join(pairDir(1, 'copied'), 'eval.json'), 'utf8'))
  await writeFile(join(pairDir(2, 'copied'), 'eval.json'), JSON.stringify({ ...passing, repo: 'confkit_task', task_id: 5, features: [1, 3] }))
  const result = JSON.parse(await readFile(join(pairDir(4, 'copied'), 'result.json'), 'utf8'))
  await writeFile(join(pairDir(3, 'copied'), 'result.json'), JSON.stringify({ repo: 'textkit_task' }))
  await writeFile(join(pairDir(4, 'copied'), 'result.json'), JSON.stringify({ ...result, features: 'nope' }))
  await writeFile(join(pairDir(5, 'copied'), 'result.json'), JSON.stringify({ ...result, task_id: 'abc' }))
  // A torn result.json beside a passing eval.json.
  await writeFile(join(pairDir(6, 'copied'), 'result.json'), '{"repo": "textkit_ta')
})
afterAll(() => rm(logDir, { recursive: true, force: true }))

/** Per run: each pair whose record cannot be read (task, file, why); task 1 is the one real pass. */
const UNREADABLE = {
  guess: [
    [2, 'eval.json', 'is not an eval record (a JSON null, not an object)'],
    [3, 'eval.json', 'is not an eval record (a verdict without its feature verdicts feature1 and feature2)'],
    [4, 'eval.json', 'is not an eval record (both_passed is true but feature1 did not pass)'],
  ],
  copied: [
    [2, 'eval.json', "names another pair (confkit_task/5/1,3, not its folder's textkit_task/2/1,2)"],
    [3, 'result.json', 'is not a result record (it has no task_id)'],
    [4, 'result.json', 'is not a result record (features "nope" is not a list of two or more feature ids)'],
    [5, 'result.json', 'is not a result record (task_id "abc" is not an integer)'],
    [6, 'result.json', 'is not valid JSON (truncated or corrupt)'],
  ],
} as const
type RunName = keyof typeof UNREADABLE
/** Each file, with path and why, as every reader names it. */
const named = (run: RunName) => UNREADABLE[run].map(([task, file, why]) => `${join(pairDir(task, run), file)} ${why}`)

describe.each([
  ['guess', 'whose verdict would be a guess'],
  ['copied', "that are another pair's, or do not say whose they are"],
] as const)('records of run %s, %s', (run) => {
  it('report names each file with why and counts only the one real pass', async () => {
    const report = await reportRuns({ logDir, runNames: [run] })
    expect(report.unreadable.map((u) => u.problem)).toEqual(named(run))
    expect(report.settings[0]).toMatchObject({ pairs: 1, evaluated: 1, passed: 1, failed: 0, errors: 0 })
  })

  it('analyze gives each the outcome unreadable, with the same file and why', async () => {
    const analysis = await analyzeRun({ logDir, runName: run })
    expect(analysis.pairs.map((p) => [p.task_id, p.outcome, p.unreadable ?? []])).toEqual([
      [1, 'passed', []],
      ...UNREADABLE[run].map(([task], i) => [task, 'unreadable', [named(run)[i]]]),
    ])
    expect(analysis.summary).toMatchObject({ pairs: UNREADABLE[run].length + 1, failed: 0, unreadable: UNREADABLE[run].length })
  })

  it('the viewer gives each the state unreadable and lists the problems; the overview counts only the real pass', async () => {
    const data = await new ViewerSource({ logDir, runs: [run] }).data()
    expect(data.pairs.map((p) => [p.taskId, p.state])).toEqual([[1, 'finished'], ...UNREADABLE[run].map(([task]) => [task, 'unreadable'])])
    expect(data.runs[0]).toMatchObject({ unreadable: UNREADABLE[run].length })
    expect(data.problems).toEqual(named(run))
    expect(data.report.settings[0]).toMatchObject({ pairs: 1, passed: 1 })
  })
})

describe('the viewer, of pairs it cannot read', () => {
  it('gives a pair whose eval.json cannot be read no verdict: not a pass, not a fail', async () => {
    const data = await new ViewerSource({ logDir, runs: ['guess'] }).data()
    expect(data.pairs.map((p) => [p.taskId, p.verdict])).toEqual([
      [1, 'pass'],
      [2, 'not_evaluated'],
      [3, 'not_evaluated'],
      [4, 'not_evaluated'],
    ])
  })

  it("filters the pair list by the pair's state, as the overview counts: an unreadable pair whose eval.json passes is never under passed", async () => {
    const data = await new ViewerSource({ logDir, runs: ['copied'] }).data()
    const torn = data.pairs.find((p) => p.taskId === 6)!
    // Its eval.json can be read and says pass; the pair is unreadable all the same.
    expect(torn).toMatchObject({ state: 'unreadable', verdict: 'pass', merge: { outcome: 'clean' } })
    expect([matches(torn, { outcome: 'pass' }), matches(torn, { outcome: 'unreadable' }), matches(torn, { merge: 'clean' })]).toEqual([false, true, false])
    const shown = (q: Record<string, string>) => data.pairs.filter((p) => matches(p, q)).map((p) => p.taskId)
    expect(shown({ outcome: 'pass' })).toEqual([1])
    expect(shown({ outcome: 'not_evaluated' })).toEqual([])
    expect(shown({ outcome: 'unreadable' })).toEqual([2, 3, 4, 5, 6])
    // The overview's merge bars count finished pairs only; their links open the same pairs.
    expect(shown({ merge: 'clean' })).toEqual([1])
  })
})
