import { CooperbenchError } from '@cooperbench/spec'
import type { TeamFeatures } from '@cooperbench/spec/team'
import { DECLARED_SETTINGS } from './declared-settings.js'
import type { ResolvedConfig } from './types.js'

/** The config's team features (`team`), camelCased; `TeamFeatures` has upstream's snake_case names. */
export type TeamConfig = ResolvedConfig['team']

/** What every team feature's declared off flag starts with; the rest is its name in `COOPERBENCH_TEAM_OFF` and run names. */
const OFF_FLAG_PREFIX = 'team-no-'

/** A team feature as `declaration.ts` declares it: its key, its flag (`team-no-task-list`) and its name (`task-list`). */
interface TeamFeature {
  readonly key: keyof TeamConfig
  readonly flag: string
  readonly name: string
}

/** The team features, in the declaration's order. */
const TEAM_FEATURES: readonly TeamFeature[] = DECLARED_SETTINGS.flatMap((setting) => {
  const flag = setting.spellings.offFlag
  if (setting.path[0] !== 'team' || flag === undefined) return []
  return [{ key: setting.path[1] as keyof TeamConfig, flag, name: flag.slice(OFF_FLAG_PREFIX.length) }]
})

/** The variable listing the features switched off, as the team setting declares it. */
const TEAM_OFF_VARIABLE = DECLARED_SETTINGS.find((setting) => setting.path.join('.') === 'team')?.spellings.env

/** The names `COOPERBENCH_TEAM_OFF` takes (`task-list`, `mcp`, …). */
export function teamFeatureNames(): string[] {
  return TEAM_FEATURES.map((feature) => feature.name)
}

/** The names of the features `team` switches off, in the declaration's order: what a run name says (`no-mcp`). */
export function teamFeaturesOffNames(team: TeamConfig): string[] {
  return TEAM_FEATURES.filter((feature) => !team[feature.key]).map((feature) => feature.name)
}

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
    const feature = TEAM_FEATURES.find((candidate) => candidate.name === name)
    if (feature === undefined) return { unknown: name }
    team[feature.key] = false
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
  const off = TEAM_FEATURES.filter((feature) => config.team[feature.key] === false)
  if (config.setting !== 'team' && off.length > 0) {
    const flags = off.map((feature) => `--${feature.flag}`).join(', ')
    throw new CooperbenchError(
      'USAGE',
      `${flags} switch${off.length === 1 ? 'es' : ''} off a feature of the team setting, but the setting is ${config.setting}`,
      {
        hint: `Add --setting team, or drop ${flags} (or the config's team keys / ${TEAM_OFF_VARIABLE}).`,
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
