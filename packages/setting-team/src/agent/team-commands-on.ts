import type { AgentTeam } from '@cooperbench/spec'

/**
 * Whether the harness installed the task list's `coop-task-*` commands in the agent's sandbox:
 * when the seeded list (`task_list`) or the protocol is on, as upstream installed its helper. The
 * protocol's `coop-request` / `coop-respond` / `coop-pending` come with `protocol`.
 */
export function teamTaskCommandsOn(team: Pick<AgentTeam, 'features'> | null | undefined): boolean {
  return team != null && (team.features.task_list || team.features.protocol)
}
