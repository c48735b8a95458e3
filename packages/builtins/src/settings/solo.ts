import type { Registration, Setting } from '@cooperbench/spec'
import { joinedFeatureTexts, loneAgentPatch, totals } from '@cooperbench/spec-utils/setting'

const FILES = { trajectory: 'solo_traj.json', patch: 'solo.patch', worktreePatch: 'solo.worktree.patch' }

/** `solo` (upstream 0.0.14): one agent implements every feature of the pair, and its patch is tested against each. */
export const soloSetting: Setting = {
  specificationVersion: 'setting-v1',
  name: 'solo',
  shape: () => ({ peers: false, agents: () => 1, messaging: false, git: false }),
  async run(pair) {
    const texts = await Promise.all(pair.features.map(async (id) => ({ id, text: await pair.featureText(id) })))
    const seat = { agentId: 'solo', featureIds: [...pair.features], instructions: joinedFeatureTexts(texts), files: FILES }
    const [outcome] = await pair.runSeats([seat])
    return { record: { agent: outcome!.record, ...totals([outcome!]) }, messaging: false, git: false }
  },
  judged: () => ({ rule: 'single', patch: loneAgentPatch(FILES.patch, 'the solo agent') }),
}

/** The registration of setting `solo`: `api.setting(soloSettingRegistration)`. */
export const soloSettingRegistration = {
  name: 'solo',
  specificationVersion: 'setting-v1',
  description: 'One agent implements every feature of the pair; its patch is tested against each (upstream 0.0.14)',
  create: () => soloSetting,
} satisfies Omit<Registration<'setting'>, 'kind'>
