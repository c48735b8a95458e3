import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { scanRun } from '@cooperbench/results'
import { describe, expect, it } from 'vitest'
import { tempFolderOfThisFile } from '../../../../scripts/test/after-every.js'
import { buildReport, type ReportRun } from '../../src/model/report.js'
import { readRunFingerprints } from '../../src/readers/run-fingerprints.js'

const FINGERPRINT = { agent: 'stamp', model: 'gpt-5', agent_config_digest: null, prompt_profile: 'cooperbench-v1', limits: { step_limit: 100 } }
const plugins = (agent: string) => ({ agent, backend: 'local (@cooperbench/backend-local@0.1.0)', evaluator: 'default (@cooperbench/evaluator-default@0.1.0)' })

/** A run of four pairs (the first two pass), each result.json with its `config_hash`, and config.json's fingerprint with its plugins. */
async function run(name: string, setting: 'solo' | 'coop', agentPlugin: string, hashes: string[] = ['h', 'h', 'h', 'h']): Promise<ReportRun> {
  const root = await tempFolderOfThisFile(`cb-plugin-versions-${name}-`)
  for (const [i, hash] of hashes.entries()) {
    const dir = join(root, setting, 'a_task', String(i + 1), 'f1_f2')
    await mkdir(dir, { recursive: true })
    const base = { repo: 'a_task', task_id: i + 1, features: [1, 2], setting }
    await writeFile(join(dir, 'result.json'), JSON.stringify({ ...base, run_name: name, agent_framework: 'stamp', model: 'gpt-5', config_hash: hash }))
    const feature = (id: number) => ({ feature_id: id, passed: i < 2, exit_code: 0, tests_passed: 1, tests_failed: 0, test_output: '' })
    const merge = setting === 'solo' ? null : { status: 'clean', strategy: 'naive', diff: '' }
    await writeFile(join(dir, 'eval.json'), JSON.stringify({ ...base, feature1: feature(1), feature2: feature(2), both_passed: i < 2, error: null, merge }))
  }
  const value = { ...FINGERPRINT, setting, plugins: { ...plugins(agentPlugin), setting: `${setting} (@cooperbench/builtins@0.1.0)` } }
  await writeFile(join(root, 'config.json'), JSON.stringify({ fingerprints: { [setting]: { value, hash: 'h' } } }))
  return { name, pairs: await scanRun(root), fingerprints: await readRunFingerprints(root) }
}

describe('runs made by different plugin versions', () => {
  it('are not set against each other: the comparison is refused, naming both versions of the agent', async () => {
    const solo = await run('solo', 'solo', 'stamp (cb-test-fixed@1.0.0)')
    const report = buildReport([solo, await run('coop', 'coop', 'stamp (cb-test-fixed@1.0.1)')])
    expect(report.deficits).toEqual([])
    expect(report.refused.map((r) => r.reasons)).toEqual([['plugins.agent: "stamp (cb-test-fixed@1.0.0)" → "stamp (cb-test-fixed@1.0.1)"']])
    // The same version on both sides: compared (the setting's own plugin entry differs, as it must).
    expect(buildReport([solo, await run('coop-same', 'coop', 'stamp (cb-test-fixed@1.0.0)')]).deficits).toHaveLength(1)
  })

  it('pooled in one run folder (pairs rerun with --force under a new version) are said to be', async () => {
    const mixed = await run('mixed', 'coop', 'stamp (cb-test-fixed@1.0.1)', ['old', 'old', 'new', 'new'])
    expect(buildReport([mixed]).policyNotes).toEqual([
      'mixed (coop): its pairs were made under 2 configurations (result.json config_hash), such as another plugin version; its rate pools them',
    ])
    expect(buildReport([await run('one', 'coop', 'stamp (cb-test-fixed@1.0.1)')]).policyNotes).toEqual([])
  })
})
