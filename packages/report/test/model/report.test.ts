import { scanRun } from '@cooperbench/results'
import { describe, expect, it } from 'vitest'
import { buildReport } from '../../src/model/report.js'
import { writeRun } from '../support/pair-folders.js'
import { tempFolderOfThisFile } from '../../../../scripts/test/after-every.js'

const clean = { status: 'clean', strategy: 'naive' } as const
const union = { status: 'conflicts', strategy: 'union' } as const

async function runFolder(prefix: string, pairs: Parameters<typeof writeRun>[1]) {
  const dir = await tempFolderOfThisFile(`cb-rep-${prefix}-`)
  await writeRun(dir, pairs)
  return scanRun(dir)
}

describe('report', () => {
  it('computes per-setting rates, merge counts, per-repo rows and the coordination deficit', async () => {
    const report = buildReport([
      {
        name: 'solo-run',
        pairs: await runFolder('solo', [
          { setting: 'solo', repo: 'a_task', verdict: 'pass' },
          { setting: 'solo', repo: 'b_task', verdict: 'pass' },
        ]),
      },
      {
        name: 'coop-run',
        pairs: await runFolder('coop', [
          { setting: 'coop', repo: 'a_task', verdict: 'pass', merge: clean },
          { setting: 'coop', repo: 'b_task', verdict: 'fail', merge: union },
        ]),
      },
    ])
    const coopReport = report.settings.find((s) => s.setting === 'coop')!
    expect(coopReport.merge).toEqual({ clean: 1, conflicts: 1, union: 1, missing_input: 0, error: 0 })
    expect(coopReport.perRepo.map((r) => [r.repo, r.rate])).toEqual([
      ['a_task', 1],
      ['b_task', 0],
    ])
    expect(report.deficit).toMatchObject({ solo: 1, coop: 0.5, difference: 0.5 })
    expect(report.deficit!.low).toBeLessThan(0.5)
    expect(report.deficit!.high).toBeGreaterThan(0.5)
  })

  it('never pools pair sizes: one row and one deficit per size, pairs first', async () => {
    const pairs = await runFolder('teams', [
      { setting: 'solo', repo: 'a_task', features: [1, 2], verdict: 'pass' },
      { setting: 'solo', repo: 'a_task', features: [1, 2, 3], verdict: 'pass' },
      { setting: 'coop', repo: 'a_task', features: [1, 2], verdict: 'pass', merge: clean },
      { setting: 'coop', repo: 'a_task', features: [1, 2, 3], verdict: 'fail', merge: clean },
      { setting: 'coop', repo: 'a_task', features: [1, 2, 4], verdict: 'fail', merge: clean },
    ])
    const report = buildReport([{ name: 'r', pairs }])
    expect(report.settings.map((s) => [s.setting, s.pairSize, s.pairs, s.rate])).toEqual([
      ['solo', 2, 1, 1],
      ['solo', 3, 1, 1],
      ['coop', 2, 1, 1],
      ['coop', 3, 2, 0],
    ])
    expect(report.deficits.map((d) => [d.pairSize, d.difference])).toEqual([
      [2, 0],
      [3, 1],
    ])
    expect(report.deficit?.pairSize).toBe(2)
  })

  it('never pools two runs: one row each, a deficit per solo and coop pairing, interrupted runs marked', async () => {
    const runs = []
    for (const [name, passed] of [
      ['coop-a', true],
      ['coop-b', false],
    ] as const) {
      const pairs = await runFolder(name, [{ setting: 'coop', repo: 'a_task', verdict: passed ? 'pass' : 'fail', merge: clean }])
      runs.push({ name, pairs, interrupted: name === 'coop-b' })
    }
    const solo = { name: 'solo', pairs: await runFolder('solo1', [{ setting: 'solo', repo: 'a_task', verdict: 'pass' }]) }
    const report = buildReport([...runs, solo])
    expect(report.settings.map((s) => [s.setting, s.runs, s.pairs, s.rate, s.interrupted])).toEqual([
      ['solo', ['solo'], 1, 1, false],
      ['coop', ['coop-a'], 1, 1, false],
      ['coop', ['coop-b'], 1, 0, true],
    ])
    expect(report.deficits.map((d) => [d.soloRun, d.coopRun, d.difference])).toEqual([
      ['solo', 'coop-a', 0],
      ['solo', 'coop-b', 1],
    ])
  })
})
