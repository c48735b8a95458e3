import { CooperbenchError } from '@cooperbench/spec'
import type { TeamFeatures } from '@cooperbench/spec/team'
import type { ResolvedConfig } from './types.js'

/** The config's team features (`team`), camelCased; `TeamFeatures` has upstream's snake_case names. */
export type TeamConfig = ResolvedConfig['team']

/** Each feature's name in flags and `COOPERBENCH_TEAM_OFF` (`--team-no-<name>`), by config key. */
export const TEAM_FEATURE_FLAGS = {
  taskList: 'task-list',
  scratchpad: 'scratchpad',
  mcp: 'mcp',
  autoRefresh: 'auto-refresh',
  protocol: 'protocol',
} as const satisfies Record<keyof TeamConfig, string>

export const TEAM_FEATURE_FLAG_NAMES: readonly string[] = Object.values(TEAM_FEATURE_FLAGS)

/**
 * The features as records and agents name them (upstream's `TeamHarnessConfig` fields), as they
 * take effect: the typed protocol keeps its requests in the task list, so without the task list
 * it is off too (recorded `protocol: false`, its commands absent), never recorded on while absent.
 */
export function teamFeaturesOf(team: TeamConfig): TeamFeatures {
  return { task_list: team.taskList, scratchpad: team.scratchpad, mcp: team.mcp, auto_refresh: team.autoRefresh, protocol: team.protocol && team.taskList }
}

/** `task-list,mcp` → `{ taskList: false, mcp: false }`; the first unknown name otherwise. */
export function teamFeaturesOff(list: string): { team: Partial<TeamConfig> } | { unknown: string } {
  const team: Partial<TeamConfig> = {}
  for (const name of list
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')) {
    const key = (Object.keys(TEAM_FEATURE_FLAGS) as (keyof TeamConfig)[]).find((k) => TEAM_FEATURE_FLAGS[k] === name)
    if (key === undefined) return { unknown: name }
    team[key] = false
  }
  return { team }
}

/**
 * Refuses what a team setting cannot mean (code USAGE): a feature switched off outside
 * `setting: team` (the flag would silently do nothing), and a team judged under
 * `cooperbench-0.0.14`, whose rule (merge, then union) upstream never applied to teams: team
 * mode came with 0.0.15 and is scored by 0.0.16's rule.
 */
export function checkTeamSettings(config: Pick<ResolvedConfig, 'setting' | 'team' | 'policy'>): void {
  const off = (Object.keys(TEAM_FEATURE_FLAGS) as (keyof TeamConfig)[]).filter((key) => config.team[key] === false)
  if (config.setting !== 'team' && off.length > 0) {
    const flags = off.map((key) => `--team-no-${TEAM_FEATURE_FLAGS[key]}`).join(', ')
    throw new CooperbenchError(
      'USAGE',
      `${flags} switch${off.length === 1 ? 'es' : ''} off a feature of the team setting, but the setting is ${config.setting}`,
      {
        hint: `Add --setting team, or drop ${flags} (or the config's team keys / COOPERBENCH_TEAM_OFF).`,
      },
    )
  }
  if (config.setting === 'team' && config.policy === 'cooperbench-0.0.14') {
    throw new CooperbenchError(
      'USAGE',
      'the team setting cannot be judged under --policy cooperbench-0.0.14: upstream added teams in 0.0.15 and scores them by 0.0.16',
      {
        hint: 'Use --policy cooperbench-0.0.16 (the default) for team runs.',
      },
    )
  }
}
