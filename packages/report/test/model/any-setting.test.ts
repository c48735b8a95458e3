import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { SettingReporter } from '@cooperbench/spec/report'
import { count, tableOf, text } from '@cooperbench/spec-utils/report'
import { describe, expect, it } from 'vitest'
import { renderReport } from '../../src/formats/index.js'
import { reportRuns } from '../../src/readers/read-report.js'
import { writeRun } from '../support/pair-folders.js'
import { tempFolderOfThisFile } from '../../../../scripts/test/after-every.js'

const LIMITS = { step_limit: 100, cost_limit: 1, agent_timeout_seconds: null }
const fingerprint = (setting: string, more: Record<string, unknown> = {}) => ({
  setting,
  agent: 'oracle',
  model: 'm',
  prompt_profile: 'p',
  limits: LIMITS,
  ...more,
})
const agent = (status: string) => ({
  status,
  cost: 0.25,
  steps: 2,
  input_tokens: 0,
  output_tokens: 0,
  cache_read_tokens: 0,
  cache_write_tokens: 0,
  patch_lines: 3,
  error: null,
})

/**
 * A run of `relay`, a setting no package of this repository knows: two agents one after the other,
 * the second started from the first's patch, one patch judged against both features.
 */
async function writeRelayRun(dir: string, verdicts: Record<string, boolean>): Promise<void> {
  for (const [pair, passed] of Object.entries(verdicts)) {
    const features = pair.split('_').map((f) => Number(f.slice(1)))
    const folder = join(dir, 'relay', 'a_task', '1', pair)
    await mkdir(folder, { recursive: true })
    const seat = (agentId: string, from?: string) => ({
      agent_id: agentId,
      feature_ids: features,
      patch: `${agentId}.patch`,
      trajectory: `${agentId}_traj.json`,
      ...(from ? { started_from: from } : {}),
      status: 'Submitted',
    })
    const phases = [
      { name: 'first', started_at: '2026-06-08T10:00:00Z', ended_at: '2026-06-08T10:01:00Z', seats: [seat('agent1')] },
      { name: 'second', started_at: '2026-06-08T10:01:00Z', ended_at: '2026-06-08T10:02:00Z', seats: [seat('agent2', 'agent1')] },
    ]
    const result = {
      repo: 'a_task',
      task_id: 1,
      features,
      run_id: 'r1',
      run_name: 'relay-run',
      agent_framework: 'oracle',
      model: 'm',
      started_at: '2026-06-08T10:00:00Z',
      ended_at: '2026-06-08T10:02:00Z',
      duration_seconds: 120,
      setting: 'relay',
      agents: { agent1: agent('Submitted'), agent2: agent(passed ? 'Submitted' : 'Error') },
      total_cost: 0.5,
      total_steps: 4,
      log_dir: folder,
      messaging_enabled: false,
      git_enabled: false,
      phases,
    }
    const feature = (id: number) => ({ feature_id: id, passed, exit_code: passed ? 0 : 1, tests_passed: 1, tests_failed: passed ? 0 : 1, test_output: '' })
    const evaluation = { repo: 'a_task', task_id: 1, features, setting: 'relay', merge: null, feature1: feature(features[0]!), feature2: feature(features[1]!) }
    await writeFile(join(folder, 'result.json'), JSON.stringify(result))
    await writeFile(join(folder, 'eval.json'), JSON.stringify({ ...evaluation, both_passed: passed, error: null, evaluated_at: '' }))
  }
  const config = { setting: 'relay', fingerprints: { relay: { value: fingerprint('relay', { relay_order: 'by feature' }), hash: 'h' } } }
  await writeFile(join(dir, 'config.json'), JSON.stringify(config))
}

/** What the relay's plugin would add: its hand-offs per run, and its order option as the variant. */
const RELAY: SettingReporter = {
  variant: (run) => `order ${String(run.fingerprint?.relay_order)}`,
  sections: (runs) => [
    {
      id: 'relay_handoffs',
      title: 'Relay hand-offs',
      caption: 'Seats started from an earlier seat’s patch.',
      ...tableOf(
        [
          { label: 'run', csv: 'run', cell: (r) => text(r.run) },
          { label: 'hand-offs', align: 'right', csv: 'count', cell: (r) => count(handOffs(r.pairs.map((p) => p.result))) },
        ],
        runs,
      ),
      notes: [],
    },
  ],
}

const handOffs = (results: Array<{ phases?: Array<{ seats: Array<{ started_from?: string }> }> }>) =>
  results.flatMap((r) => r.phases ?? []).flatMap((phase) => phase.seats.filter((seat) => seat.started_from !== undefined)).length

async function logDir(): Promise<string> {
  const root = await tempFolderOfThisFile('cb-report-any-setting-')
  const pairs = ['f1_f2', 'f1_f3', 'f2_f3']
  const features = (pair: string) => pair.split('_').map((f) => Number(f.slice(1)))
  await writeRun(
    join(root, 'solo-run'),
    pairs.map((pair) => ({ setting: 'solo' as const, repo: 'a_task', features: features(pair), verdict: 'pass' as const })),
  )
  await writeRun(join(root, 'coop-run'), [{ setting: 'coop', repo: 'a_task', verdict: 'fail', merge: { status: 'clean', strategy: 'naive' } }])
  for (const [name, setting] of [
    ['solo-run', 'solo'],
    ['coop-run', 'coop'],
  ] as const) {
    await writeFile(join(root, name, 'config.json'), JSON.stringify({ fingerprints: { [setting]: { value: fingerprint(setting), hash: name } } }))
  }
  await writeRelayRun(join(root, 'relay-run'), { f1_f2: true, f1_f3: false, f2_f3: true })
  return root
}

describe('a setting the report does not know', () => {
  it('gets its row after solo and coop, its relative deficit against solo on the same pairs, its leaderboard row and its own section', async () => {
    const report = await reportRuns({ logDir: await logDir(), runNames: ['relay-run', 'coop-run', 'solo-run'], reporters: { relay: RELAY } })
    expect(report.settings.map((s) => [s.setting, s.runs[0], s.passed, s.failed, s.variant])).toEqual([
      ['solo', 'solo-run', 3, 0, null],
      ['coop', 'coop-run', 0, 1, null],
      ['relay', 'relay-run', 2, 1, 'order by feature'],
    ])
    const relay = report.settings[2]!
    // Its agent records are counted, its fingerprint (config.json's `fingerprints.relay`) read: a run of it talks through nothing.
    expect(relay.failures).toEqual({ infra: 0, dataset: 0, agent: 1 })
    expect(relay.communication).toBe('none')
    // One patch judged, nothing merged: a pass is a strict pass.
    expect(relay.strict.rate).toBeCloseTo(2 / 3, 12)
    const d = report.deficits.find((x) => x.setting === 'relay')!
    expect([d.soloRun, d.coopRun, d.pairs, d.solo, d.coop, d.notes]).toEqual(['solo-run', 'relay-run', 3, 1, 2 / 3, []])
    expect(d.relative.value).toBeCloseTo(1 / 3, 12)
    // Its passes were made by no merge: no strategies to share them out.
    expect(d.passesBy).toBeNull()
    // Coop stays the headline; the relay has a leaderboard row of its own, named by its setting and variant.
    expect(report.deficit?.setting).toBe('coop')
    expect(report.leaderboard.map((l) => [l.setting, l.variant, l.coopRun, l.pairs])).toEqual([
      ['coop', null, 'coop-run', 1],
      ['relay', 'order by feature', 'relay-run', 3],
    ])
    expect(report.settingSections.map((s) => [s.id, s.rows])).toEqual([['relay_handoffs', [[text('relay-run'), count(3)]]]])

    const [textReport, md, csv, latex] = (['text', 'md', 'csv', 'latex'] as const).map((format) => renderReport(report, format))
    // One patch judged: no merge outcomes, and no evaluation policy (every policy judges one patch alike), as for solo.
    expect(textReport).toMatch(/^relay \(relay-run\)$/m)
    expect([relay.byMerge, relay.policies]).toEqual([[], []])
    expect(textReport).toContain('coordination deficit (solo-run vs relay-run, solo vs relay): 3 common pairs')
    expect(textReport).toMatch(/^ {2}oracle +m +relay, order by feature, none +solo-run vs relay-run +3 /m)
    expect(textReport).toMatch(/^ {2}oracle +m +relay, order by feature, none +solo-run vs relay-run +3 .* –$/m)
    expect(textReport).not.toContain('relay passes by strategy')
    expect(csv).not.toMatch(/solo-run vs relay-run.*passes_by_strategy/)
    expect(textReport).toMatch(/\nrelay hand-offs:\n {2}run +hand-offs\n[- ]+\n {2}relay-run +3\n/)
    expect(md).toContain('| coop run | merge outcome |')
    expect(md).toContain('**Relay hand-offs**: Seats started from')
    expect(csv.split('\r\n')).toContain('relay-run,,,,,relay_handoffs,,,,,,,,,,,,,,,,,,,,,,,3,,,')
    expect(csv).toContain('solo-run vs relay-run,oracle,m,solo-relay,2,leaderboard_coop,,3,')
    expect(latex).toContain('\\label{tab:cooperbench-relay-handoffs}')
    expect(latex).toContain('Solo / coop or relay (\\%)')
  })

  it('without its plugin still has its row and deficit, and no section of its own', async () => {
    const report = await reportRuns({ logDir: await logDir(), runNames: ['solo-run', 'relay-run'] })
    expect(report.settings.map((s) => [s.setting, s.variant])).toEqual([
      ['solo', null],
      ['relay', null],
    ])
    expect(report.deficits.map((d) => [d.setting, d.pairs])).toEqual([['relay', 3]])
    expect(report.leaderboard.map((l) => [l.setting, l.variant])).toEqual([['relay', null]])
    expect(report.settingSections).toEqual([])
    expect(renderReport(report, 'text')).toMatch(/ relay, none +solo-run vs relay-run /)
  })
})
