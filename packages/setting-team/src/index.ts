/**
 * `@cooperbench/setting-team`: the `team` setting (upstream 0.0.16) as a plugin, with all of its
 * harness side: the session (seeding, the scratchpad and its mirror, the metrics) and the commands
 * its agents run in their sandboxes. What an agent tells its model of the team is `./agent`.
 */
export { teamPlugin } from './register.js'
export { teamSetting, teamSettingRegistration } from './team-setting.js'
export { teamReporter } from './report/index.js'
export { type TeamOptions, teamFeaturesOf } from './options.js'
export { TeamFiles, TeamSession } from './harness/team-session.js'
export { TaskCommandServer, type TaskCommandServerOptions } from './commands/task-command-server.js'
export { prepareTaskCommandsCommand, taskCommandScripts } from './commands/task-commands.js'
