/**
 * `@cooperbench/backend-kit`: what every backend shares (README.md says what is where). The spec-utils names re-exported here
 * (`/images`, `/host`) keep backends written against the kit's earlier surface working.
 */
export { CreatorLabels, type CreatorLabelFormat, type CreatorLabelKeys } from './creator-labels.js'
export { type ListedSandbox, ManagedSandboxes, type ReapFilter, type ReapRules, type Terminable, terminatedSandboxError } from './managed-sandboxes.js'
export { onceUntilDone, sharedPerKey } from './once-until-done.js'
export { untilAborted } from './until-aborted.js'
export { checkStartupProbe, type RootCommandResult, type StartupProbeHints, type StartupProbeResult, startPulledSandbox } from './startup-probe.js'
export { type ContainerReapFilter, ContainerEngineBackend, type ImageDetails, type ListedContainer } from './container-engine-backend.js'
export { containerName } from './container-name.js'
export { CappedOutput, MAX_OUTPUT_BYTES_OPTION } from './capped-output.js'
export { cappedText, truncationMarker, currentProcessIdentity, isProcessAlive, type ProcessIdentity, RecordedRunSandbox } from '@cooperbench/spec-utils/host'
export { firstPrintedLine } from './first-printed-line.js'
export { signalProcessGroup } from './host-process-group.js'
export { type HostCommandOptions, type HostCommandOutcome, type RunningHostCommand, startHostCommand } from './host-command.js'
export { HostCommands, type HostCommandsInit } from './host-commands.js'
export { MAPPED_PATH_VARIABLES, SandboxPathMap } from './sandbox-path-map.js'
export { readMappedFile, writeMappedFile } from './mapped-files.js'
export { abortedBeforeStart, cappedExecResult, type CapturedOutput, type CommandOutcome, commandResult, type StopReason } from './command-outcome.js'
export { type EnsuredImage, prepareTaskImages } from './prepare-tasks.js'
export { CommandSandbox, type CommandSandboxInit } from './exec-sandbox.js'
export { DEFAULT_IMAGE_NAMESPACE, DEFAULT_IMAGE_TEMPLATE, imageName, layeredImageName } from '@cooperbench/spec-utils/images'
export {
  type CommandScript,
  CONTAINER_STARTUP_SCRIPT,
  containerStartupScript,
  INLINE_COMMAND_MAX_BYTES,
  LOGIN_PATH_HOOK,
  LOGIN_PATH_HOOK_FILE,
  type LoginShellInvocation,
  loginShellInvocation,
  type SandboxCommand,
  sandboxCommand,
} from './long-command.js'
export { PORT_RELAY_SCRIPT, type PortRelay, type RelayChannel, startPortRelay } from './port-relay.js'
export { EXEC_MARKER_VARIABLE, processGroupExecArgv, processGroupKillArgv, reachedTimeLimit } from './process-group-exec.js'
export { readScriptedJobResult, SCRIPTED_JOB_DRIVER, stageScriptedJob } from './scripted-job-driver.js'
export { CLEAN_REPO_HISTORY_DIGEST, CLEAN_REPO_HISTORY_SCRIPT, cleanRepoHistoryArgv, cleanRepoHistoryFailure, uncleanRepoError } from './repo-history.js'
