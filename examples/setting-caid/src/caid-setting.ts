import type { AgentSummaryRecord, Registration, SeatOutcome, Setting, SettingPair } from '@cooperbench/spec'
import { caidReporter } from './caid-report.js'
import { Delegation } from './delegation.js'
import { integrationTask, managerTask, PLAN_FILE } from './tasks.js'

/** The seat roles a run may give their own agent and model (`--seat manager.model=… --seat worker.model=…`). */
export const CAID_ROLES = ['manager', 'worker'] as const

/** The manager's files of each of its phases: the plan phase's are kept apart; `manager.patch` is what is judged. */
export const managerFiles = {
  plan: { trajectory: 'manager_plan_traj.json', patch: 'manager_plan.patch', worktreePatch: 'manager_plan.worktree.patch', artifact: 'manager_plan.md' },
  integrate: { trajectory: 'manager_traj.json', patch: 'manager.patch', worktreePatch: 'manager.worktree.patch' },
}

/**
 * CAID (arXiv 2603.21489): a manager that owns no feature plans (`PLAN.md`) and delegates each feature
 * to a worker at run time, through its `delegate` command; workers run at once (or after the worker
 * they depend on, from its work), each in its own sandbox, pushing a branch of the shared git remote;
 * when every worker has ended, the same manager, carried over from planning in its sandbox, merges
 * their branches and submits one patch, judged against every feature.
 */
export const caidSetting: Setting = {
  specificationVersion: 'setting-v1',
  name: 'caid',
  shape: () => ({ peers: true, agents: (features) => features + 1, roles: CAID_ROLES, messaging: false, git: 'always' }),
  run: runCaid,
  judged: () => ({ rule: 'single', patch: { file: managerFiles.integrate.patch, owner: 'the manager', recordedLines: managerLines } }),
}

async function runCaid(pair: SettingPair) {
  const remote = await pair.openGitRemote('team')
  const features = await Promise.all(pair.features.map(async (id) => ({ id, text: await pair.featureText(id) })))
  const delegation = new Delegation(pair, remote, features)
  const manager = pair.startSeat(
    {
      agentId: 'manager',
      role: 'manager',
      featureIds: [...pair.features],
      instructions: managerTask(features, remote.git.remote),
      files: managerFiles.plan,
      git: remote,
      artifact: PLAN_FILE,
      keep: true,
      coordination: { tools: [delegation.tool] },
    },
    'plan',
  )
  const planned = await manager.outcome
  const workers = await delegation.finished()
  const ended = workers.map((w) => ({ agentId: w.agentId, featureId: w.featureIds[0]!, status: w.result.status }))
  const integrated = await manager.continue({ instructions: integrationTask(ended, remote.git.remote), files: managerFiles.integrate }, 'integrate').outcome
  await pair.writeFile('delegations.json', delegation.records)
  return { record: record(planned, integrated, workers, delegation.records.length), messaging: false, git: true }
}

/** result.json's keys: the manager (its integration, its plan phase beside), each worker with its feature, the totals. */
function record(planned: SeatOutcome, integrated: SeatOutcome, workers: SeatOutcome[], delegations: number) {
  const all = [planned, integrated, ...workers]
  const agents: Record<string, AgentSummaryRecord & { feature_id?: number }> = { manager: integrated.record, manager_plan: planned.record }
  for (const worker of workers) agents[worker.agentId] = { feature_id: worker.featureIds[0]!, ...worker.record }
  return {
    agents,
    total_cost: all.reduce((sum, o) => sum + o.result.cost, 0),
    total_steps: all.reduce((sum, o) => sum + o.result.steps, 0),
    delegations,
  }
}

function managerLines(result: Record<string, unknown>): number | null {
  const lines = (result.agents as Record<string, { patch_lines?: unknown }> | undefined)?.manager?.patch_lines
  return typeof lines === 'number' ? lines : null
}

/** The registration of setting `caid`: `api.setting(caidRegistration)`. */
export const caidRegistration = {
  name: 'caid',
  specificationVersion: 'setting-v1',
  description: 'A manager plans and delegates each feature to a worker at run time; workers push branches; the manager merges them into one patch (CAID)',
  report: caidReporter,
  create: () => caidSetting,
} satisfies Omit<Registration<'setting'>, 'kind'>
