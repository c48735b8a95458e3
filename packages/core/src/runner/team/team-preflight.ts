import { type BackendCapabilities, CooperbenchError, type MessageBus } from '@cooperbench/spec'
import type { RunPlan } from '../plan.js'

type TeamPlan = Pick<RunPlan, 'setting' | 'team' | 'bus'>

/**
 * Refuses, before any pair starts, a team whose scratchpad the backend cannot serve: the
 * scratchpad is a folder of the harness's host that the harness writes (the task mirror) and
 * reads back, so only a backend that binds host folders live (`capabilities.sharedFolders`) can.
 */
export function checkTeamBackend(plan: TeamPlan, backend: { name: string; capabilities: BackendCapabilities }): void {
  if (plan.setting !== 'team' || !plan.team.scratchpad || backend.capabilities.sharedFolders === true) return
  throw new CooperbenchError(
    'PLUGIN_INCOMPATIBLE',
    `backend ${backend.name} cannot share a host folder live between a team's sandboxes, which the team's scratchpad needs`,
    {
      hint: 'Run teams with the scratchpad on the local or docker backend, or switch it off with --team-no-scratchpad (docs/user-guide.md, "The team setting").',
    },
  )
}

/** Whether the run needs a bus: coop or team agents that message, or a team that shares a task list. */
export function runNeedsBus(plan: Pick<RunPlan, 'setting' | 'team' | 'messagingEnabled'>): boolean {
  const team = plan.setting === 'team'
  return ((plan.setting === 'coop' || team) && plan.messagingEnabled) || (team && plan.team.taskList)
}

/** Refuses, before any pair starts, a team with a task list on a bus that keeps none. */
export function checkTeamBus(plan: TeamPlan, bus: Pick<MessageBus, 'openTaskList'>): void {
  if (plan.setting !== 'team' || !plan.team.taskList || bus.openTaskList) return
  throw new CooperbenchError('PLUGIN_INCOMPATIBLE', `bus ${plan.bus} keeps no task lists, which the team setting's task list needs`, {
    hint: 'Use the memory bus or --redis (the redis bus), or switch the task list off with --team-no-task-list.',
  })
}
