/**
 * `@cooperbench/spec-utils/host`: what the harness and the backend kit both run on the harness's own
 * machine (node built-ins only): which process created a sandbox and whether it still runs
 * (`currentProcessIdentity`, `isProcessAlive`), the text of output cut at a sandbox's cap
 * (`cappedText`, `truncationMarker`), a shell word (`shellQuote`), and the replay of a finished scripted job as a sandbox
 * (`RecordedRunSandbox`), what a team agent tells its model (`teamBriefing`, `teamTaskSummary`, the
 * `wait_for_message` tool's terms), and JSON as Python's `json.dumps` writes it (`pythonJsonDumps`),
 * for the files and output the reference's readers expect.
 */
export { cappedText, truncationMarker } from './capped-text.js'
export { currentProcessIdentity, isProcessAlive, type ProcessIdentity, processStartTime } from './process-identity.js'
export { formatPieces, parsePythonFormat, type PythonFormatPiece } from './python-format.js'
export {
  parseReferenceTeamTemplate,
  REFERENCE_SECTION_SEPARATOR,
  type ReferenceTeamTemplate,
  renderReferenceTeamSection,
  stringFields,
} from './reference-team-template.js'
export { RecordedRunSandbox } from './recorded-run-sandbox.js'
export { shellQuote, shellWord } from './shell-quote.js'
export { type CommandAnswer, pythonJson, pythonJsonLine } from './command-arguments.js'
export { type PythonJsonOptions, pythonJsonDumps, TEAM_FLOAT_KEYS } from './python-json.js'
export {
  answerProtocolCommand,
  PROTOCOL_COMMANDS,
  PROTOCOL_EXIT,
  PROTOCOL_SUBCOMMANDS,
  type ProtocolCommandName,
  type ProtocolContext,
} from './protocol-commands.js'
export {
  answerTaskCommand,
  answerTaskRequest,
  exchangeTaskSpool,
  parseTaskRequests,
  prepareTaskCommandsCommand,
  serveTaskCommands,
  type ServeTaskCommandsOptions,
  TASK_COMMAND_BIN_DIR,
  TASK_COMMAND_SPOOL_DIR,
  TASK_COMMAND_TIMEOUT_SECONDS,
  TASK_COMMANDS,
  type TaskCommandAnswer,
  type TaskCommandName,
  type TaskCommandRequest,
  taskCommandScripts,
  taskSpoolExchangeScript,
  teamCommandPath,
  type TeamCommandContext,
  type TeamCommandName,
} from './task-commands.js'
export { TaskCommandServer, type TaskCommandServerOptions } from './task-command-server.js'
export { hostFolderTaskSpool, sandboxTaskSpool, type TaskSpool } from './task-spool.js'
export { type TeamBriefingInput, type TeamBriefingSection, teamBriefing } from './team-briefing.js'
export { teamTaskSummary } from './team-task-summary.js'
export { WAIT_FOR_MESSAGE_TOOL } from './wait-for-message.js'
