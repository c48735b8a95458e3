import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { policyOf, readRunPolicy, recordedPolicy } from '../src/run-policy.js'
import type { PairFolder } from '../src/scan-run.js'

const made: string[] = []
afterAll(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))))

async function runFolder(config: unknown | null): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cb-run-policy-'))
  made.push(dir)
  if (config !== null) await writeFile(join(dir, 'config.json'), JSON.stringify(config))
  return dir
}

/** Which settings are judged by merging, as the installed settings say (`judgedByMergeOf`): coop's and a team's are. */
const merged = (setting: string) => setting === 'coop' || setting === 'team'

describe("a run's evaluation policy", () => {
  it('is unknown without config.json, and 0.0.14 for a config.json written before policies', async () => {
    expect(await readRunPolicy(await runFolder(null), merged)).toBeNull()
    expect(await readRunPolicy(await runFolder({ run_name: 'old', fingerprints: { coop: { value: { setting: 'coop' }, hash: 'h' } } }), merged)).toBe(
      'cooperbench-0.0.14',
    )
  })

  it("is the coop fingerprint's: a solo run written into the folder later does not change it", async () => {
    const coop16 = { fingerprints: { coop: { value: { evaluation_policy: 'cooperbench-0.0.16' }, hash: 'h' } }, evaluation_policy: 'cooperbench-0.0.14' }
    expect(await readRunPolicy(await runFolder(coop16), merged)).toBe('cooperbench-0.0.16')
    const coop14 = { fingerprints: { coop: { value: {}, hash: 'h' }, solo: { value: {}, hash: 'h' } }, evaluation_policy: 'cooperbench-0.0.16' }
    expect(await readRunPolicy(await runFolder(coop14), merged)).toBe('cooperbench-0.0.14')
    expect(await readRunPolicy(await runFolder({ fingerprints: { solo: { value: {}, hash: 'h' } }, evaluation_policy: 'cooperbench-0.0.16' }), merged)).toBe(
      'cooperbench-0.0.16',
    )
  })

  it('of a verdict: its policy key (an unknown name kept as written), 0.0.14 when it has none', () => {
    expect(policyOf({ policy: 'cooperbench-0.0.16' })).toBe('cooperbench-0.0.16')
    expect(policyOf({})).toBe('cooperbench-0.0.14')
    expect(policyOf({ policy: 'cooperbench-9.9.9' as never })).toBe('cooperbench-9.9.9')
  })

  it('of a folder without config.json: the policy of the merged verdicts it holds, none without any', () => {
    // A merged verdict records its merge; a solo one has none.
    const folder = (setting: 'coop' | 'solo', policy?: string) =>
      ({ setting, eval: { merge: setting === 'coop' ? { status: 'clean' } : null, ...(policy === undefined ? {} : { policy }) } }) as unknown as PairFolder
    expect(recordedPolicy([])).toBeNull()
    expect(recordedPolicy([{ ...folder('coop'), eval: null }])).toBeNull()
    expect(recordedPolicy([folder('solo', 'cooperbench-0.0.16'), folder('coop')])).toBe('cooperbench-0.0.14')
    expect(recordedPolicy([folder('coop', 'cooperbench-0.0.16')])).toBe('cooperbench-0.0.16')
  })
})
