import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { scanRun } from '../../src/results/scan-run.js'

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
  return { pair: pair!, dir }
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
    ['a setting of no kind', { ...RESULT, setting: 'duo' }, 'setting "duo" is not one of "coop", "solo", "team"'],
    ['agents that is a list', { ...RESULT, agents: [] }, 'agents is not an object'],
  ])('a result.json that is %s', async (_, record, why) => {
    const { pair, dir } = await scanOne({ result: record, eval: PASSING })
    expect(pair.result).toBeNull()
    expect(pair.unreadable).toEqual([expect.stringContaining(`${join(dir, 'result.json')} is not a result record (${why}`)])
  })
})
