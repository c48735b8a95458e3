import { CooperbenchError, type Logger, type Registration, type Setting, type SettingPreflight } from '@cooperbench/spec'
import { silentLogger } from '@cooperbench/spec-utils'
import { featureAgentPatch, featureAgentsRecord, runFeatureAgents } from '@cooperbench/spec-utils/setting'
import { readReferenceTeamTemplate, type ReferenceTeamTemplate } from './briefing/upstream-team-block.js'
import { TeamSession } from './harness/team-session.js'
import { teamReporter } from './report/index.js'
import { featuresOffNames, TEAM_OPTION_DECLARATIONS, type TeamOptions, teamFeaturesOf, teamOptionsOf, usesTaskList } from './options.js'

/** The team's seat roles: `agent1` leads (and integrates), every other agent is a member (`seats.lead`, `seats.member`). */
const TEAM_ROLES = ['lead', 'member'] as const

/** Upstream 0.0.15–0.0.16 (PRs #52–#58): coop with `agent1` leading (and integrating) and five features, each on unless off. Judged as coop. */
export function teamSetting(options: TeamOptions, logger: Logger = silentLogger): Setting {
  const features = teamFeaturesOf(options)
  // Read once, when the run is planned: the file checked is the one every pair renders.
  const upstream = options.promptTemplate === null ? null : readReferenceTeamTemplate(options.promptTemplate)
  return {
    specificationVersion: 'setting-v1',
    name: 'team',
    shape: () => ({
      peers: true,
      agents: (count) => count,
      roles: TEAM_ROLES,
      messaging: true,
      git: true,
      logs: usesTaskList(features),
      nameParts: featuresOffNames(options).map((name) => `no-${name}`),
      record: { team_features: features, ...(upstream ? { team_prompt_template: upstream.digest } : {}) },
    }),
    preflight: (run) => {
      checkTeamRun(run, options, upstream)
      for (const agent of run.agents.filter((a) => !a.collaborates)) {
        logger.warn(`agent ${agent.name} takes part in no team protocol: its runs leave the task list, the scratchpad and the requests unused`)
      }
    },
    async run(pair) {
      const seats = pair.features.map((featureId, i) => ({ agentId: `agent${i + 1}`, featureId }))
      const session = await TeamSession.open(pair, { seats, features, upstream })
      const messaging = pair.run.messaging && seats.length > 1
      const done = await runFeatureAgents(pair, {
        phase: 'team',
        seat: (agentId, featureId) => {
          const role = session.roleOf(agentId)
          return {
            role,
            trajectoryHeader: { feature_id: featureId, agent_id: agentId, team_role: role },
            coordination: session.coordination(agentId, messaging),
          }
        },
      })
      await pair.writeFile('conversation.json', done.conversation)
      const { metrics } = await session.finish()
      const record = featureAgentsRecord(pair, done) as { agents: Record<string, object> }
      for (const [agentId, agent] of Object.entries(record.agents)) record.agents[agentId] = { ...agent, team_role: session.roleOf(agentId) }
      // `{}` without the task list, as upstream writes `metrics or {}`.
      const recordTail = { lead_agent: session.lead, team_features: features, metrics: metrics ?? {} }
      return { record, messaging: done.messaging, git: done.git, recordTail }
    },
    judged: (ids) => ({ rule: 'merge', patches: ids.map(featureAgentPatch) }),
  }
}

/**
 * Refuses before any pair what a team cannot have: a scratchpad without live shared folders, a bus without shared logs, policy
 * 0.0.14, an agent following upstream's prompts without upstream's team block.
 */
function checkTeamRun(run: SettingPreflight, options: TeamOptions, upstream: ReferenceTeamTemplate | null): void {
  if (options.scratchpad && run.backend.capabilities.sharedFolders !== true) {
    throw new CooperbenchError(
      'PLUGIN_INCOMPATIBLE',
      `backend ${run.backend.name} cannot share a host folder live between a team's sandboxes, which the team's scratchpad needs`,
      {
        hint: 'Run teams with the scratchpad on the local or docker backend, or switch it off with --team-no-scratchpad (docs/user-guide.md, "The team setting").',
      },
    )
  }
  if (usesTaskList(teamFeaturesOf(options)) && !run.bus?.openLog) {
    throw new CooperbenchError('PLUGIN_INCOMPATIBLE', `bus ${run.bus?.name ?? '(none)'} keeps no shared logs, which the team setting's task list needs`, {
      hint: 'Use the memory bus or --redis (the redis bus), or run the team without any task list (--team-no-task-commands).',
    })
  }
  if (run.policy === 'cooperbench-0.0.14') {
    throw new CooperbenchError(
      'USAGE',
      'the team setting cannot be judged under --policy cooperbench-0.0.14: upstream added teams in 0.0.15 and scores them by 0.0.16',
      {
        hint: 'Use --policy cooperbench-0.0.16 (the default) for team runs.',
      },
    )
  }
  const reference = run.agents.find((agent) => agent.promptSource.startsWith('reference-'))
  if (reference && upstream === null) {
    throw new CooperbenchError(
      'CONFIG_INVALID',
      `agent ${reference.name} follows upstream's prompts (${reference.promptSource.split(':')[0]}), and this team run has no upstream team block for it`,
      {
        hint: "Give upstream's team prompt strings with --team-prompt-template FILE (settings.team.promptTemplate in a config file); docs/reproducing-the-paper.md#the-team-setting says how to make the file.",
      },
    )
  }
}

/** The registration of setting `team`: `api.setting(teamSettingRegistration)`. */
export const teamSettingRegistration = {
  name: 'team',
  specificationVersion: 'setting-v1',
  description: 'agent1 the lead, one agent per feature, with a shared task list, a scratchpad and typed requests; each switchable (upstream 0.0.16)',
  ...TEAM_OPTION_DECLARATIONS,
  report: teamReporter,
  create: ({ options, logger }) => teamSetting(teamOptionsOf(options), logger),
} satisfies Omit<Registration<'setting'>, 'kind'>
