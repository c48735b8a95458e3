import { Flags } from '@oclif/core'
import { TEAM_FEATURE_FLAGS, type TeamConfig } from '@cooperbench/core/config'

type TeamKey = keyof typeof TEAM_FEATURE_FLAGS

const WHAT: Record<TeamKey, string> = {
  taskList: 'the shared task list and its coop-task-* commands',
  scratchpad: 'the shared folder /workspace/shared (and the task mirror in it)',
  mcp: "CLI agents' wait_for_message MCP tool",
  autoRefresh: 'the [Team task list] summary loop agents show before each model call',
  protocol: 'the typed coop-request / coop-respond / coop-pending commands',
}

/** `--team-no-<feature>`, one per team feature: each switches one off (with --setting team only). */
export const teamFeatureFlags = Object.fromEntries(
  (Object.keys(TEAM_FEATURE_FLAGS) as TeamKey[]).map((key) => [
    `team-no-${TEAM_FEATURE_FLAGS[key]}`,
    Flags.boolean({ description: `Team ablation: run without ${WHAT[key]} (with --setting team).`, allowNo: false, helpGroup: 'TEAM' }),
  ]),
) as Record<`team-no-${(typeof TEAM_FEATURE_FLAGS)[TeamKey]}`, ReturnType<typeof Flags.boolean>>

/** The features the flags switch off (`{ mcp: false }`); undefined when none is given, so lower layers keep theirs. */
export function teamFeaturesFromFlags(flags: Record<string, unknown>): Partial<TeamConfig> | undefined {
  const off = (Object.keys(TEAM_FEATURE_FLAGS) as TeamKey[]).filter((key) => flags[`team-no-${TEAM_FEATURE_FLAGS[key]}`] === true)
  return off.length === 0 ? undefined : Object.fromEntries(off.map((key) => [key, false]))
}
