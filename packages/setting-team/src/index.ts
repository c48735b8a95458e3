/** `@cooperbench/setting-team`: the `team` setting (upstream 0.0.16) as a plugin, with its harness side; an agent's side is `./agent`. */
export { teamPlugin } from './register.js'
export { teamSetting, teamSettingRegistration } from './team-setting.js'
export { teamReporter } from './report/index.js'
export { type TeamOptions, teamFeaturesOf } from './options.js'
export { TeamFiles, TeamSession } from './harness/team-session.js'
export { TaskCommandServer, type TaskCommandServerOptions } from './commands/task-command-server.js'
export { prepareTaskCommandsCommand, taskCommandScripts } from './commands/task-commands.js'
