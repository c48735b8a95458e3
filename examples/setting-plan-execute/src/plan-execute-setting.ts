import type { AgentSummaryRecord, Registration, SeatOutcome, Setting, SettingOutcome, SettingPair } from '@cooperbench/spec'
import { type FeatureAgentsOutcome, featureAgentPatch, runFeatureAgents } from '@cooperbench/spec-utils/setting'
import { type PlanExecuteOptions, planExecuteOptionsSchema, planExecuteSpellings } from './options.js'
import { executionTask, PLAN_FILE, planningTask } from './planning-task.js'
import { executorNotRun, featureAgentRecord } from './records.js'

/** A planner's files: in a folder of their own, as upstream's `phase1/`, so the executors keep coop's names and are judged as coop. */
export function plannerFiles(featureId: number) {
  const stem = `phase1/agent${featureId}`
  return { trajectory: `${stem}_traj.json`, patch: `${stem}.patch`, worktreePatch: `${stem}.worktree.patch`, artifact: `${stem}.plan` }
}

/**
 * `plan-execute` (upstream PR #70). Phase `plan`: one planner per feature, all at once, with coop's
 * toolset (messages; the git remote with `--git`), each told its feature and to hand in `plan.txt`
 * instead of a patch. Phase `execute`: fresh agents in fresh sandboxes, one per feature, each given
 * its planner's plan verbatim as its task (not the feature's text, a teammate's plan or the planners'
 * messages), with coop's toolset again on a new channel and remote. Their patches are judged as coop's.
 */
export function planExecuteSetting(options: PlanExecuteOptions): Setting {
  return {
    specificationVersion: 'setting-v1',
    name: 'plan-execute',
    shape: () => ({
      peers: true,
      // A planner and an executor per feature.
      agents: (features) => 2 * features,
      messaging: true,
      git: true,
      nameParts: options.withFeature ? ['with-feature'] : [],
      record: { executors_see_feature: options.withFeature },
    }),
    async run(pair) {
      const planners = await runPlanners(pair)
      const missing = planners.outcomes.filter((planner) => !planner.artifact?.trim())
      if (missing.length > 0) return withoutExecutors(pair, planners, missing)
      const executors = await runFeatureAgents(pair, {
        phase: 'execute',
        seat: () => ({ role: 'executor' }),
        instructions: async (id) => {
          const plan = planners.outcomes[pair.features.indexOf(id)]!.artifact!
          return executionTask(plan, options.withFeature ? await pair.featureText(id) : null)
        },
      })
      await pair.writeFile('conversation.json', executors.conversation)
      const records = executors.outcomes.map((executor) => executor.record)
      return { record: pairRecord(pair, planners, records, executors.conversation.length), messaging: executors.messaging, git: executors.git }
    },
    judged: (features) => ({ rule: 'merge', patches: features.map(featureAgentPatch) }),
  }
}

/** Phase `plan`: a planner per feature, coop-framed, told to plan only; its `plan.txt` is read back after its run. */
async function runPlanners(pair: SettingPair): Promise<FeatureAgentsOutcome> {
  const teammates = pair.run.messaging && pair.features.length > 1
  const planners = await runFeatureAgents(pair, {
    phase: 'plan',
    channel: 'plan',
    files: plannerFiles,
    seat: () => ({ role: 'planner', artifact: PLAN_FILE }),
    instructions: async (id) => planningTask(await pair.featureText(id), teammates),
  })
  await pair.writeFile('phase1/conversation.json', planners.conversation)
  return planners
}

/**
 * A planner handed in no plan (no `plan.txt`, or a blank one): no executor runs. Upstream gives
 * that executor an empty task; here the error is recorded instead, for every feature's agent (an
 * execute phase without one of the pair's executors would be another protocol), and the pair is
 * judged on empty patches unless the infrastructure stopped the planner.
 */
async function withoutExecutors(pair: SettingPair, planners: FeatureAgentsOutcome, missing: SeatOutcome[]): Promise<SettingOutcome> {
  const who = missing.map((p) => `${p.agentId} (feature ${p.featureIds.join(', ')}) ended ${p.record.status}${p.record.error ? ` (${p.record.error})` : ''}`)
  const reason = `no executor ran: in the plan phase ${who.join('; ')} without writing ${PLAN_FILE}`
  pair.logger.warn(`${pair.task.repo}/task${pair.task.taskId} features ${pair.features.join(',')}: ${reason}`)
  const failure = missing.map((p) => p.record.failure).find((origin) => origin === 'infra' || origin === 'dataset') ?? 'agent'
  const records = planners.outcomes.map(() => executorNotRun(reason, failure))
  return { record: pairRecord(pair, planners, records, 0), messaging: planners.messaging, git: planners.git }
}

/** result.json's keys, as upstream's plan_execute writes them: each feature's agent (both phases), the totals, each phase's messages. */
function pairRecord(pair: SettingPair, planners: FeatureAgentsOutcome, executors: AgentSummaryRecord[], messagesSent: number) {
  const agents = planners.outcomes.map((planner, i) => [planners.agentIds[i]!, featureAgentRecord(pair.features[i]!, planner, executors[i]!)] as const)
  const sum = (key: 'cost' | 'steps') => agents.reduce((total, [, agent]) => total + (agent[key] as number), 0)
  return {
    agents: Object.fromEntries(agents),
    total_cost: sum('cost'),
    total_steps: sum('steps'),
    messages_sent: messagesSent,
    phase1_messages_sent: planners.conversation.length,
  }
}

/** The registration of setting `plan-execute`: `api.setting(planExecuteRegistration)`. */
export const planExecuteRegistration = {
  name: 'plan-execute',
  aliases: ['plan_execute'],
  specificationVersion: 'setting-v1',
  description: 'Agents plan together and hand in plan.txt; fresh agents implement each plan; their patches merged as coop (upstream PR #70)',
  optionsSchema: planExecuteOptionsSchema,
  spellings: planExecuteSpellings,
  create: ({ options }) => planExecuteSetting(options as PlanExecuteOptions),
} satisfies Omit<Registration<'setting'>, 'kind'>
