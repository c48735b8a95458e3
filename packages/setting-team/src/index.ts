/**
 * `@cooperbench/setting-team`: the `team` setting (upstream 0.0.16) as a plugin, and what a setting composed on it uses: its task list
 * (a pair service, `pair.service(teamTaskList)`), the setting itself to wrap, its records.
 */
export { teamPlugin } from './register.js'
export { teamSetting, teamSettingRegistration } from './team-setting.js'
export { teamReporter } from './report/index.js'
export { type TeamOptions, teamFeaturesOf, teamOptionsOf } from './options.js'
export { TeamFiles, TeamSession, teamTaskList } from './harness/team-session.js'
export { TeamTaskList } from './task-list/team-task-list.js'
export { readReferenceTeamTemplate, type ReferenceTeamTemplate } from './briefing/upstream-team-block.js'
export * from './task-list/task-types.js'
export * from './team-types.js'
