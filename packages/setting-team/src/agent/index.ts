/**
 * `@cooperbench/setting-team/agent`: what an agent of the team setting tells its model (the
 * briefing, the task list's summary, the `wait_for_message` tool, upstream's team template) and
 * the commands the harness installs in its sandbox, by name and place.
 */
export {
  parseReferenceTeamTemplate,
  readReferenceTeamTemplate,
  REFERENCE_SECTION_SEPARATOR,
  type ReferenceTeamTemplate,
  renderReferenceTeamSection,
  stringFields,
} from './reference-team-template.js'
export { type TeamBriefingInput, type TeamBriefingSection, teamBriefing } from './team-briefing.js'
export { teamTaskCommandsOn } from './team-commands-on.js'
export { teamTaskSummary } from './team-task-summary.js'
export { WAIT_FOR_MESSAGE_TOOL } from './wait-for-message.js'
export { PROTOCOL_COMMANDS, type ProtocolCommandName } from '../commands/protocol-commands.js'
export {
  TASK_COMMAND_BIN_DIR,
  TASK_COMMAND_SPOOL_DIR,
  TASK_COMMAND_TIMEOUT_SECONDS,
  TASK_COMMANDS,
  type TaskCommandName,
  teamCommandPath,
  type TeamCommandName,
} from '../commands/task-commands.js'
