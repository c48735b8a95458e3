import { describe, expect, it } from 'vitest'
import type { Deficit, RunClaim, RunReport, SettingClaim } from '@cooperbench/report'
import { type PooledRun, submissionRows } from '../../src/api/leaderboard-rows.js'

const claimOf = (name: string, setting: SettingClaim): RunClaim => ({ name, pairs: 4, subset: null, dataset_source: null, settings: [setting] })
const setting = (over: Partial<SettingClaim>): SettingClaim => ({
  setting: 'coop',
  agent: 'mini_swe_agent',
  model: 'openai/gpt-5',
  options: {},
  fingerprint_hash: 'h',
  ...over,
})
/** The least of a report row the leaderboard reads. */
const reportRow = (run: string, settingName: string) => ({
  runs: [run],
  setting: settingName,
  pairSize: 2,
  variant: null,
  passed: 3,
  failed: 1,
  rate: 0.75,
  ci: { low: 0.3, high: 0.95 },
  agent: null,
  model: null,
  usesModel: true,
})
const relative = { value: 0.2, low: -0.3, high: 0.7, notEstimable: null, method: 'jeffreys-dirichlet' as const, draws: 40_000, seed: 1 }
const deficit = (soloRun: string, coopRun: string, pairs: number) => ({ soloRun, coopRun, setting: 'coop', pairSize: 2, pairs, relative }) as unknown as Deficit

describe("the leaderboard's rows", () => {
  // Two bundles that both named their run `run`: the pooled report tells them apart by folder.
  const runs: PooledRun[] = [
    {
      name: '1-a--run',
      bundle: 'a.tar.gz',
      run: 'run',
      claim: claimOf('run', setting({ seats: { reviewer: { agent: 'mini_swe_agent', model: 'anthropic/claude-opus-9' } } })),
    },
    { name: '2-b--run', bundle: 'b.tar.gz', run: 'run', claim: claimOf('run', setting({ setting: 'solo' })) },
    { name: '3-c--solo', bundle: 'c.tar.gz', run: 'solo', claim: claimOf('solo', setting({ setting: 'solo', agent: 'oracle', model: null })) },
  ]
  const report = {
    settings: [reportRow('1-a--run', 'coop'), reportRow('2-b--run', 'solo'), reportRow('3-c--solo', 'solo')],
    deficits: [deficit('3-c--solo', '1-a--run', 2), deficit('2-b--run', '1-a--run', 4)],
  } as unknown as RunReport
  const rows = submissionRows(report, runs)

  it('names the model of each seat that ran another, and an agent that calls no model `none`', () => {
    expect(rows.get('a.tar.gz')!.map((r) => [r.agent, r.model])).toEqual([['mini_swe_agent', 'openai/gpt-5 (reviewer: anthropic/claude-opus-9)']])
    expect(rows.get('c.tar.gz')!.map((r) => [r.agent, r.model])).toEqual([['oracle', 'none']])
  })

  it("takes the deficit against the solo run with most common pairs, named by its bundle's own names; solo rows have none", () => {
    expect(rows.get('a.tar.gz')![0]!.deficit).toEqual({ soloBundle: 'b.tar.gz', soloRun: 'run', pairs: 4, relative })
    expect([rows.get('b.tar.gz')![0]!.deficit, rows.get('c.tar.gz')![0]!.deficit]).toEqual([null, null])
    expect(rows.get('a.tar.gz')![0]).toMatchObject({ run: 'run', judged: 4, passed: 3, rate: 0.75, rerunAgreement: null })
  })
})
