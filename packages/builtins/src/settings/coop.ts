import type { Registration, Setting } from '@cooperbench/spec'
import { featureAgentPatch, featureAgentsRecord, runFeatureAgents } from '@cooperbench/spec-utils/setting'

/** Upstream 0.0.14: an agent per feature at once, messaging unless `--no-messaging`, `--git` shares a remote; features tested on the policy's merge. */
export const coopSetting: Setting = {
  specificationVersion: 'setting-v1',
  name: 'coop',
  shape: () => ({ peers: true, agents: (features) => features, messaging: true, git: true }),
  async run(pair) {
    const done = await runFeatureAgents(pair)
    await pair.writeFile('conversation.json', done.conversation)
    return { record: featureAgentsRecord(pair, done), messaging: done.messaging, git: done.git }
  },
  judged: (features) => ({ rule: 'merge', patches: features.map(featureAgentPatch) }),
}

/** The registration of setting `coop`: `api.setting(coopSettingRegistration)`. */
export const coopSettingRegistration = {
  name: 'coop',
  specificationVersion: 'setting-v1',
  description:
    'One agent per feature, at once, each in its own sandbox, messaging each other (and sharing a git remote with --git); their patches merged (upstream 0.0.14)',
  create: () => coopSetting,
} satisfies Omit<Registration<'setting'>, 'kind'>
