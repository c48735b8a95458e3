import type { AgentTeam } from '@cooperbench/spec'

/** Whether the sandbox has the `coop-task-*` commands: with `task_list` or `protocol` on, as upstream installed its helper. */
export function teamTaskCommandsOn(team: Pick<AgentTeam, 'features'> | null | undefined): boolean {
  return team != null && (team.features.task_list || team.features.protocol)
}
