import type { PluginDefinition, Seat, Setting, SettingPair } from '@cooperbench/core'
import { describe, expect, it } from 'vitest'
import { bubblewrapProblem, checkJudgedFiles, checkSeatFiles, checkSeatsReadable, checkShapeInFingerprint, runSettingOnFixture } from '../src/index.js'

/** The settings' conformance suite fails broken settings, naming the fault: one broken way each. */
const skip = bubblewrapProblem() ?? false

const files = (stem: string) => ({ trajectory: `${stem}_traj.json`, patch: `${stem}.patch`, worktreePatch: `${stem}.worktree.patch` })
const lone = (pair: SettingPair, stem: string): Seat => ({
  agentId: 'solo',
  featureIds: [...pair.features],
  instructions: 'Implement both features.',
  files: files(stem),
})

/** A setting of the fixture's pair: one seat (or what `run` does), judged on `judged`. */
function broken(name: string, run: Setting['run'], judged = 'solo.patch', git = false): PluginDefinition {
  const setting: Setting = {
    specificationVersion: 'setting-v1',
    name,
    shape: () => ({ peers: false, agents: () => 2, messaging: false, git }),
    run,
    judged: () => ({ rule: 'single', patch: { file: judged, owner: 'the seat', recordedLines: () => null } }),
  }
  return { name: `broken-${name}`, version: '1.0.0', register: (api) => api.setting({ name, specificationVersion: 'setting-v1', create: () => setting }) }
}

const twoPhases = broken('two-phases', async (pair) => {
  await pair.runSeats([lone(pair, 'solo')], 'first')
  await pair.runSeats([lone(pair, 'solo')], 'second')
  return { record: {}, messaging: false, git: false }
})
const unwritten = broken(
  'unwritten',
  async (pair) => {
    await pair.runSeats([lone(pair, 'solo')], 'only')
    return { record: {}, messaging: false, git: false }
  },
  'final.patch',
)
const hiddenRemote = broken('hidden-remote', async (pair) => {
  const git = await pair.openGitRemote('team')
  await pair.runSeats([{ ...lone(pair, 'solo'), git }], 'only')
  return { record: {}, messaging: false, git: true }
})
const unrecorded = broken('unrecorded', async (pair) => {
  await pair.runSeats([lone(pair, 'solo'), { ...lone(pair, 'helper'), agentId: 'helper' }])
  return { record: {}, messaging: false, git: false }
})

const fails = async (plugin: PluginDefinition, check: (run: Awaited<ReturnType<typeof runSettingOnFixture>>) => void, message: RegExp) => {
  const run = await runSettingOnFixture({ plugins: [plugin], setting: plugin.name.replace('broken-', '') })
  expect(() => check(run)).toThrow(message)
}

describe.skipIf(skip)('the settings conformance suite on broken settings', () => {
  it(
    'a seat run again in a later phase with the same files',
    () => fails(twoPhases, checkSeatFiles, /solo \(phase second\) and solo \(phase first\) both write solo_traj\.json/),
    300_000,
  )
  it('a judged file the setting never writes', () => fails(unwritten, checkJudgedFiles, /judges final\.patch, which its pair folder lacks/), 300_000)
  it(
    'a git remote its shape does not declare',
    () => fails(hiddenRemote, checkShapeInFingerprint, /git_enabled: true and the run's fingerprint git_enabled: false/),
    300_000,
  )
  it(
    'a seat result.json does not name',
    () => fails(unrecorded, checkSeatsReadable, /helper_traj\.json is in the pair folder, but no seat of result\.json names it/),
    300_000,
  )
})
