/** `@cooperbench/setting-team/agent`: what a team agent tells its model, and the commands the harness installs in its sandbox. */
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
