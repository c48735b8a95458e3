import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { EvalRecord, ResultRecord } from '@cooperbench/spec'
import { afterEach, describe, expect, it } from 'vitest'
import { RunFolderRecords } from '../src/run-folder-records.js'
import { scanRun } from '../src/scan-run.js'

const result = (repo: string, cost = 0.5) => ({ repo, setting: 'coop', total_cost: cost, agents: {} }) as unknown as ResultRecord
const verdict = (passed: boolean, policy?: string) => ({ both_passed: passed, error: null, ...(policy ? { policy } : {}) }) as unknown as EvalRecord

/** A pair folder with what it holds: records as objects, anything else as the file's text. */
async function pairFolder(run: string, path: string, files: Record<string, unknown> = {}): Promise<string> {
  const dir = join(run, ...path.split('/'))
  await mkdir(dir, { recursive: true })
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content))
  return dir
}

const runs: string[] = []
async function runFolder(): Promise<string> {
  const run = await mkdtemp(join(tmpdir(), 'cb-records-'))
  runs.push(run)
  return run
}
afterEach(async () => {
  for (const run of runs.splice(0)) await rm(run, { recursive: true, force: true })
})

describe('RunFolderRecords: the run folder scanned once, kept current by the writes made through it', () => {
  it('lists what a new scan would find after results and verdicts are written and removed', async () => {
    const run = await runFolder()
    const judged = await pairFolder(run, 'coop/a_task/1/f1_f2', { 'result.json': result('a_task'), 'eval.json': verdict(true) })
    const tornVerdict = await pairFolder(run, 'coop/a_task/10/f1_f2', { 'result.json': result('a_task'), 'eval.json': '{"both_pa' })
    const tornResult = await pairFolder(run, 'coop/a_task/9/f3_f2', { 'result.json': '', 'eval.json': verdict(false) })
    await pairFolder(run, 'coop/a_task/9/f2_f3_retry')
    await pairFolder(run, 'solo/b_task/2/f1_f2', { 'result.json': { ...result('b_task'), setting: 'solo' } })
    const records = await RunFolderRecords.scan(run)
    const before = records.pairs()
    const asScanned = structuredClone(before)
    expect(before).toEqual(await scanRun(run))

    await records.remove(judged, 'eval.json')
    await records.write(tornResult, 'result.json', result('a_task', Number.NaN))
    await records.write(tornVerdict, 'eval.json', { error: 7 } as unknown as EvalRecord)
    await records.write(join(run, 'coop', 'a_task', '2', 'f1_f2'), 'result.json', result('a_task'))
    await records.write(join(run, 'team', 'c_task', '3', 'f1_f2_f3'), 'eval.json', verdict(true))
    await records.write(join(run, 'coop', 'not-a-task', '3', 'f1_f2'), 'result.json', result('not-a-task'))
    // A rerun that failed before its result: the folder exists, or never came to be.
    await records.remove(join(run, 'coop', 'a_task', '3', 'f1_f2'), 'eval.json')
    await pairFolder(run, 'coop/a_task/3/f1_f2', { 'agent1_traj.json': '{}' })
    await records.remove(join(run, 'coop', 'a_task', '4', 'f1_f2'), 'eval.json')
    expect(records.pairs()).toEqual(await scanRun(run))
    expect(before).toEqual(asScanned)
  })

  it('reads the reference layout until a setting folder holds a pair, as scanRun does', async () => {
    const run = await runFolder()
    await pairFolder(run, 'a_task/1/f1_f2', { 'result.json': result('a_task'), 'eval.json': verdict(true) })
    const records = await RunFolderRecords.scan(run)
    const rerun = join(run, 'coop', 'a_task', '1', 'f1_f2')
    await records.remove(rerun, 'eval.json')
    expect(records.pairs()).toEqual(await scanRun(run))
    expect(records.pairs()).toHaveLength(1)
    await pairFolder(run, 'coop/a_task/1/f1_f2')
    expect(records.pairs()).toEqual(await scanRun(run))
    expect(records.pairs().map((p) => p.dir)).toEqual([rerun])
  })

  it('takes the verdicts of a re-score’s file from the folders found', async () => {
    const run = await runFolder()
    const one = await pairFolder(run, 'coop/a_task/1/f1_f2', {
      'result.json': result('a_task'),
      'eval.json': '[]',
      'eval.strict.json': verdict(false, 'strict'),
    })
    await pairFolder(run, 'coop/a_task/2/f1_f2', { 'result.json': '{', 'eval.json': verdict(true), 'eval.strict.json': 'nope' })
    const strict = await (await RunFolderRecords.scan(run)).withVerdictsOf('eval.strict.json')
    expect(strict.pairs()).toEqual(await scanRun(run, 'eval.strict.json'))
    await strict.write(one, 'eval.strict.json', verdict(true, 'strict'))
    await strict.write(one, 'eval.json', verdict(true))
    expect(strict.pairs()).toEqual(await scanRun(run, 'eval.strict.json'))
  })
})
