import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { RunFolderRecords } from '../src/run-folder-records.js'
import { scanRun } from '../src/scan-run.js'

const made: string[] = []
afterAll(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))))

const feature = (passed: boolean) => ({ feature_id: 1, passed, exit_code: 0, tests_passed: 1, tests_failed: 0, test_output: '' })
const RESULT = { repo: 'a_task', task_id: 1, features: [1, 2], setting: 'solo', agent: { status: 'Submitted' } }
const PASSING = {
  repo: 'a_task',
  task_id: 1,
  features: [1, 2],
  setting: 'solo',
  merge: null,
  feature1: feature(true),
  feature2: feature(true),
  both_passed: true,
  error: null,
}

/** One solo pair folder holding these files, scanned as the readers scan it. */
async function scanOne(files: { result?: unknown; eval?: unknown }) {
  const root = await mkdtemp(join(tmpdir(), 'cb-shape-'))
  made.push(root)
  const dir = join(root, 'solo', 'a_task', '1', 'f1_f2')
  await mkdir(dir, { recursive: true })
  if (files.result !== undefined) await writeFile(join(dir, 'result.json'), JSON.stringify(files.result))
  if (files.eval !== undefined) await writeFile(join(dir, 'eval.json'), JSON.stringify(files.eval))
  const [pair] = await scanRun(root)
  return { pair: pair!, dir, root }
}

describe('records of the wrong shape are unreadable, never guessed', () => {
  it('reads a well-formed verdict and result', async () => {
    const { pair } = await scanOne({ result: RESULT, eval: PASSING })
    expect(pair).toMatchObject({ unreadable: [], eval: { both_passed: true }, result: { repo: 'a_task' } })
  })

  it.each([
    ['without both_passed', { ...PASSING, both_passed: undefined }, 'both_passed is not true or false, and there is no error'],
    ['with both_passed "true"', { ...PASSING, both_passed: 'true' }, 'both_passed is not true or false'],
    ['with a feature verdict of no passed', { ...PASSING, feature2: { passed: 'yes' } }, 'a feature verdict has no passed'],
    ['that is an array', [PASSING], 'a JSON array, not an object'],
  ])('an eval.json %s', async (_, record, why) => {
    const { pair, dir } = await scanOne({ result: RESULT, eval: record })
    expect(pair.eval).toBeNull()
    expect(pair.unreadable).toEqual([expect.stringContaining(`${join(dir, 'eval.json')} is not an eval record (`)])
    expect(pair.unreadable[0]).toContain(why)
  })

  it.each([
    ['that holds JSON null', null, 'a JSON null, not an object'],
    ['with a pass and no feature verdicts', { both_passed: true }, 'a verdict without its feature verdicts feature1 and feature2'],
    ['with a fail and one feature verdict', { ...PASSING, both_passed: false, feature2: undefined }, 'a verdict without its feature verdicts'],
    ['whose pass its features contradict', { ...PASSING, feature1: feature(false), feature2: feature(false) }, 'both_passed is true but feature1 did not pass'],
    ['whose pass its third feature contradicts', { ...PASSING, feature3: feature(false) }, 'both_passed is true but feature3 did not pass'],
    ['whose pass all_passed contradicts', { ...PASSING, all_passed: false }, 'both_passed is true but all_passed is false'],
    [
      'whose pass features_result contradicts',
      { ...PASSING, features_result: { '1': { passed: true }, '2': { passed: false } } },
      'both_passed is true but features_result says feature 2 did not pass',
    ],
    ['with an error and a pass', { ...PASSING, error: 'sandbox failed' }, 'it has an error, so no verdict, yet both_passed is true'],
  ])('an eval.json %s is unreadable, not a verdict and not "not evaluated"', async (_, record, why) => {
    const { pair, dir } = await scanOne({ result: RESULT, eval: record })
    expect(pair.eval).toBeNull()
    expect(pair.unreadable).toEqual([expect.stringContaining(`${join(dir, 'eval.json')} is not an eval record (${why}`)])
  })

  it('a result.json that holds JSON null is unreadable, not a running pair', async () => {
    const { pair, dir } = await scanOne({ result: null, eval: PASSING })
    expect(pair.result).toBeNull()
    expect(pair.unreadable).toEqual([`${join(dir, 'result.json')} is not a result record (a JSON null, not an object)`])
  })

  it("every real verdict reads: the reference's solo shape (passed and test_output only) and a team's third feature", async () => {
    const reference = { ...PASSING, feature1: { passed: true, test_output: '' }, feature2: { passed: true, test_output: '' } }
    expect((await scanOne({ result: RESULT, eval: reference })).pair).toMatchObject({ unreadable: [], eval: { both_passed: true } })
    const team = { ...PASSING, feature3: feature(true), all_passed: true, features_result: { '1': { passed: true }, '2': { passed: true } } }
    expect((await scanOne({ result: RESULT, eval: team })).pair).toMatchObject({ unreadable: [], eval: { both_passed: true } })
  })

  it('a stricter verdict than its features (a plugin evaluator, a merge policy) is read as written', async () => {
    const { pair } = await scanOne({ result: RESULT, eval: { ...PASSING, both_passed: false } })
    expect(pair).toMatchObject({ unreadable: [], eval: { both_passed: false } })
  })

  it('an error record needs no verdict', async () => {
    const { pair } = await scanOne({ result: RESULT, eval: { ...PASSING, both_passed: false, feature1: feature(false), error: 'sandbox failed' } })
    expect(pair.unreadable).toEqual([])
  })

  it.each([
    ['a number', 42, 'a JSON number, not an object'],
    ['no repo', { setting: 'solo', agent: {} }, 'it names no repo'],
    ['a setting that is no name', { ...RESULT, setting: 42 }, `setting 42 is not a setting's name`],
    ['agents that is a list', { ...RESULT, agents: [] }, 'agents is not an object'],
  ])('a result.json that is %s', async (_, record, why) => {
    const { pair, dir } = await scanOne({ result: record, eval: PASSING })
    expect(pair.result).toBeNull()
    expect(pair.unreadable).toEqual([expect.stringContaining(`${join(dir, 'result.json')} is not a result record (${why}`)])
  })

  it.each([
    ['only a repo', { repo: 'a_task' }, 'it has no task_id'],
    ['a task_id that is no number', { ...RESULT, task_id: 'abc' }, 'task_id "abc" is not an integer'],
    ['features that are no list', { ...RESULT, features: 'nope' }, 'features "nope" is not a list of two or more feature ids'],
    ['one feature', { ...RESULT, features: [1] }, 'features [1] is not a list of two or more feature ids'],
    ['no features', { ...RESULT, features: undefined }, 'it has no features'],
    ['a total cost in text', { ...RESULT, total_cost: '0.5' }, 'total_cost "0.5" is not a number'],
    ['a duration of null', { ...RESULT, duration_seconds: null }, 'duration_seconds null is not a number'],
  ])('a result.json with %s is unreadable, not a finished pair', async (_, record, why) => {
    const { pair, dir } = await scanOne({ result: record, eval: PASSING })
    expect(pair.result).toBeNull()
    expect(pair.unreadable).toEqual([`${join(dir, 'result.json')} is not a result record (${why})`])
  })

  it.each([
    ['no repo', { ...PASSING, repo: undefined }, 'it names no repo'],
    ['no task_id', { ...PASSING, task_id: undefined }, 'it has no task_id'],
    ['features that are no list', { ...PASSING, features: 'nope' }, 'features "nope" is not a list of two or more feature ids'],
  ])("an eval.json with %s is unreadable: it cannot be told to be its folder's", async (_, record, why) => {
    const { pair, dir } = await scanOne({ result: RESULT, eval: record })
    expect(pair.eval).toBeNull()
    expect(pair.unreadable).toEqual([`${join(dir, 'eval.json')} is not an eval record (${why})`])
  })

  it.each([
    ['another repo', { repo: 'confkit_task', task_id: 5, features: [1, 3] }, 'confkit_task/5/1,3'],
    ['another task', { task_id: 2 }, 'a_task/2/1,2'],
    ['other features', { features: [1, 3] }, 'a_task/1/1,3'],
  ])("an eval.json of %s (a verdict copied from another pair) is unreadable, never this pair's pass", async (_, names, label) => {
    const { pair, dir } = await scanOne({ result: RESULT, eval: { ...PASSING, ...names } })
    expect(pair.eval).toBeNull()
    expect(pair.unreadable).toEqual([`${join(dir, 'eval.json')} names another pair (${label}, not its folder's a_task/1/1,2)`])
  })

  it("a result.json of another pair is unreadable, never this pair's result", async () => {
    const { pair, dir } = await scanOne({ result: { ...RESULT, task_id: 7, features: [2, 3] }, eval: PASSING })
    expect(pair.result).toBeNull()
    expect(pair.unreadable).toEqual([`${join(dir, 'result.json')} names another pair (a_task/7/2,3, not its folder's a_task/1/1,2)`])
  })

  it("records naming their features in another order are their folder's (the reference keeps the order they were asked in)", async () => {
    const { pair } = await scanOne({ result: { ...RESULT, features: [2, 1] }, eval: { ...PASSING, features: [2, 1] } })
    expect(pair).toMatchObject({ unreadable: [], result: { repo: 'a_task' }, eval: { both_passed: true } })
  })

  it('a record written through RunFolderRecords is checked against its folder as a scan checks it', async () => {
    const { dir, root } = await scanOne({ result: RESULT })
    const records = await RunFolderRecords.scan(root)
    await records.write(dir, 'eval.json', { ...PASSING, task_id: 2 } as never)
    expect(records.pairs()[0]!.unreadable).toEqual([`${join(dir, 'eval.json')} names another pair (a_task/2/1,2, not its folder's a_task/1/1,2)`])
    expect(records.pairs()).toEqual(await scanRun(root))
  })
})
