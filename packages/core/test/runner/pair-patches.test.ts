import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { coopSetting, soloSetting } from '@cooperbench/builtins'
import { afterEach, describe, expect, it } from 'vitest'
import { readPairPatches } from '../../src/runner/pair-patches.js'

/** A patch of `lines` lines, as an agent's would be. */
function patchOf(file: string, lines: number): string {
  const body = [`diff --git a/${file} b/${file}`, `--- a/${file}`, `+++ b/${file}`, '@@ -0,0 +1 @@', ...Array.from({ length: lines }, (_, i) => `+line ${i}`)]
  return `${body.slice(0, lines).join('\n')}\n`
}

/** A coop or team agent's record in result.json, as the harness and the reference write it. */
const agent = (featureId: number, patchLines: number) => ({ feature_id: featureId, status: 'Submitted', patch_lines: patchLines, error: null })

const folders: string[] = []
async function pairFolder(setting: string, features: number[], files: Record<string, unknown>): Promise<{ setting: string; features: number[]; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'cb-patches-'))
  folders.push(dir)
  await mkdir(dir, { recursive: true })
  for (const [name, content] of Object.entries(files)) {
    // A result.json names its pair, as every reader requires.
    const record = name === 'result.json' && typeof content === 'object' ? { task_id: 1, features, ...content } : content
    await writeFile(join(dir, name), typeof record === 'string' ? record : JSON.stringify(record))
  }
  return { setting, features, dir }
}
/** What the pair's setting judges, as the installed coop and solo settings say. */
const judged = (pair: { setting: string; features: number[] }) => (pair.setting === 'solo' ? soloSetting : coopSetting).judged(pair.features)
/** The folder's judged patches, as the evaluation reads them. */
const patchesOf = (pair: { setting: string; features: number[]; dir: string }) => readPairPatches(pair.dir, judged(pair))

afterEach(async () => {
  for (const dir of folders.splice(0)) await rm(dir, { recursive: true, force: true })
})

describe('readPairPatches: a patch result.json records is the agents’ work; a lost one is never judged as an empty patch', () => {
  it('coop: an absent patch file whose agent recorded lines is lost, named by feature (agent2 wrote agent3.patch)', async () => {
    const pair = await pairFolder('coop', [1, 3], {
      'result.json': { repo: 'a_task', setting: 'coop', agents: { agent1: agent(1, 5), agent2: agent(3, 6) } },
      'agent1.patch': patchOf('a.py', 5),
    })
    const read = await patchesOf(pair)
    expect(read.patches).toBeNull()
    expect(read.lost).toBe(
      `patch file lost: ${join(pair.dir, 'agent3.patch')} is missing, yet result.json records a 6-line patch from agent2 (feature 3). ` +
        "The pair is not judged on a patch that is not the agents' work: restore the file, or run the pair again " +
        "(`cooperbench run` with the run's options, filtered to this pair, and --force)",
    )
  })

  it('coop: an emptied file whose agent recorded lines is lost too; every lost file is named', async () => {
    const pair = await pairFolder('coop', [1, 2], {
      'result.json': { repo: 'a_task', setting: 'coop', agents: { agent1: agent(1, 5), agent2: agent(2, 6) } },
      'agent1.patch': '',
    })
    const { lost } = await patchesOf(pair)
    expect(lost).toContain(`${join(pair.dir, 'agent1.patch')} is empty, yet result.json records a 5-line patch from agent1 (feature 1); `)
    expect(lost).toContain(`${join(pair.dir, 'agent2.patch')} is missing, yet result.json records a 6-line patch from agent2 (feature 2). `)
  })

  it('an agent that submitted an empty patch is judged on it: its file empty, or absent since its record says no lines', async () => {
    const pair = await pairFolder('coop', [1, 3], {
      'result.json': { repo: 'a_task', setting: 'coop', agents: { agent1: agent(1, 5), agent2: agent(3, 0) } },
      'agent1.patch': patchOf('a.py', 5),
      'agent3.patch': '',
    })
    expect(await patchesOf(pair)).toEqual({ patches: { rule: 'merge', agents: [patchOf('a.py', 5), ''] }, lost: null })
    await rm(join(pair.dir, 'agent3.patch'))
    expect(await patchesOf(pair)).toEqual({ patches: { rule: 'merge', agents: [patchOf('a.py', 5), ''] }, lost: null })
  })

  it('solo: solo.patch absent while the agent recorded lines is lost; with no lines it is the empty patch', async () => {
    const result = (lines: number) => ({ repo: 'a_task', setting: 'solo', agent: { status: 'Submitted', patch_lines: lines, error: null } })
    const lost = await pairFolder('solo', [1, 2], { 'result.json': result(9) })
    expect((await patchesOf(lost)).lost).toMatch(
      new RegExp(`^patch file lost: ${join(lost.dir, 'solo.patch')} is missing, yet result.json records a 9-line patch from the solo agent\\. `),
    )
    const empty = await pairFolder('solo', [1, 2], { 'result.json': result(0), 'solo.patch': '' })
    expect(await patchesOf(empty)).toEqual({ patches: { rule: 'single', patch: '', file: 'solo.patch' }, lost: null })
  })

  it('team of three: patches in feature order; the third agent’s lost file is named by its feature', async () => {
    const agents = {
      agent1: { ...agent(1, 1), team_role: 'lead' },
      agent2: { ...agent(2, 2), team_role: 'member' },
      agent3: { ...agent(4, 3), team_role: 'member' },
    }
    const pair = await pairFolder('team', [1, 2, 4], {
      'result.json': { repo: 'a_task', setting: 'team', agents },
      'agent1.patch': patchOf('a.py', 1),
      'agent2.patch': patchOf('b.py', 2),
      'agent4.patch': patchOf('c.py', 3),
    })
    expect(await patchesOf(pair)).toEqual({
      patches: { rule: 'merge', agents: [patchOf('a.py', 1), patchOf('b.py', 2), patchOf('c.py', 3)] },
      lost: null,
    })
    await rm(join(pair.dir, 'agent4.patch'))
    expect((await patchesOf(pair)).lost).toContain(
      `${join(pair.dir, 'agent4.patch')} is missing, yet result.json records a 3-line patch from agent3 (feature 4)`,
    )
  })

  it('records of other writers: agents without feature_id are matched by index; without patch_lines an absent file reads as empty, as before', async () => {
    const byIndex = await pairFolder('coop', [2, 5], {
      'result.json': { repo: 'a_task', setting: 'coop', agents: { agent1: { patch_lines: 4 }, agent2: { patch_lines: 7 } } },
      'agent2.patch': patchOf('a.py', 4),
    })
    expect((await patchesOf(byIndex)).lost).toContain(
      `${join(byIndex.dir, 'agent5.patch')} is missing, yet result.json records a 7-line patch from agent2 (feature 5)`,
    )
    const unrecorded = await pairFolder('coop', [1, 2], { 'result.json': { repo: 'a_task', agents: { agent1: { feature_id: 1 }, agent2: { feature_id: 2 } } } })
    expect(await patchesOf(unrecorded)).toEqual({ patches: { rule: 'merge', agents: ['', ''] }, lost: null })
  })

  it("in this harness's folder (config_hash) a judged file no seat wrote is lost, never an empty patch: a setting naming a file no seat writes", async () => {
    const ours = { repo: 'a_task', setting: 'relay', config_hash: 'abc', agents: { agent1: agent(1, 0) } }
    const ghost = { rule: 'single' as const, patch: { file: 'ghost.patch', owner: 'the reviewer', recordedLines: () => null } }
    const pair = await pairFolder('relay', [1, 2], { 'result.json': ours, 'agent1.patch': '' })
    expect((await readPairPatches(pair.dir, ghost)).lost).toMatch(
      new RegExp(`^patch file lost: ${join(pair.dir, 'ghost.patch')} \\(the reviewer's\\) is missing, yet this harness writes every judged file`),
    )
    // Written empty, it is the empty patch.
    await writeFile(join(pair.dir, 'ghost.patch'), '')
    expect(await readPairPatches(pair.dir, ghost)).toEqual({ patches: { rule: 'single', patch: '', file: 'ghost.patch' }, lost: null })
  })

  it('an unreadable result.json (corrupt, or naming no pair) is no licence to read absent files as empty patches', async () => {
    const corrupt = await pairFolder('coop', [1, 2], { 'result.json': '{"repo": "a_ta', 'agent1.patch': patchOf('a.py', 3) })
    expect((await patchesOf(corrupt)).lost).toMatch(
      new RegExp(`^${join(corrupt.dir, 'result.json')} is not valid JSON \\(truncated or corrupt\\), so its patch files cannot be checked\\. `),
    )
    const anonymous = await pairFolder('coop', [1, 2], { 'result.json': JSON.stringify({ repo: 'a_task', setting: 'coop', agents: {} }) })
    expect((await patchesOf(anonymous)).lost).toContain('is not a result record (it has no task_id)')
  })
})
