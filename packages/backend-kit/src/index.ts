/**
 * `@cooperbench/backend-kit`: what every backend shares, so a backend is its provider's calls
 * and little else. Depends only on `@cooperbench/spec`.
 *
 * - commands: `loginShellInvocation` (a command of any length as `bash -lc`), the process-group
 *   wrapper and kill (`processGroupExecArgv`/`processGroupKillArgv`, `reachedTimeLimit`),
 *   `CappedOutput`, `signalProcessGroup` (a host process group, never a stranger's that took its
 *   number), and the contract's result of a command (`commandResult`, `cappedExecResult`);
 * - sandboxes driven by a command line (`CommandSandbox`: exec, files and ports over one primitive);
 * - host processes: `HostCommands` (the contract's exec as processes on this machine, private HOME)
 *   over `startHostCommand` (one process group, timeout, abort, caps), and `SandboxPathMap`
 *   (sandbox paths as host folders, for a backend without a mount namespace) with
 *   `writeMappedFile`/`readMappedFile`;
 * - ports: `startPortRelay` (a local listener over a command in the sandbox);
 * - lifecycle: `ManagedSandboxes` (open and creating sandboxes, `close`, the rules of `reap` and
 *   `listSandboxes` over the provider's list and remove), `onceUntilDone` (an idempotent
 *   `terminate`), `checkStartupProbe` (a new container is at the task's base commit);
 * - ownership: `CreatorLabels` over `currentProcessIdentity`/`isProcessAlive`: labels that say
 *   which live process created a sandbox;
 * - batch platforms: the scripted-job driver.
 *
 * Image names (`@cooperbench/spec-utils/images`), process identity, the truncated-output text and the
 * replay of a scripted job (`RecordedRunSandbox`, `@cooperbench/spec-utils/host`) are spec-utils', shared
 * with the host; they are re-exported here so that backends written against the kit's earlier
 * surface keep working. Bounded concurrency is
 * `p-limit`/`p-map`, as in the host.
 */
export { CreatorLabels, type CreatorLabelFormat, type CreatorLabelKeys } from './creator-labels.js'
export { type ListedSandbox, ManagedSandboxes, type ReapFilter, type ReapRules, type Terminable } from './managed-sandboxes.js'
export { onceUntilDone } from './once-until-done.js'
export { checkStartupProbe, type StartupProbeHints, type StartupProbeResult } from './startup-probe.js'
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
  INLINE_COMMAND_MAX_BYTES,
  LOGIN_PATH_HOOK,
  LOGIN_PATH_HOOK_FILE,
  type LoginShellInvocation,
  loginShellInvocation,
  type SandboxCommand,
  sandboxCommand,
} from './long-command.js'
export { PORT_RELAY_SCRIPT, type PortRelay, type RelayChannel, startPortRelay } from './port-relay.js'
export {
  EXEC_MARKER_VARIABLE,
  EXEC_RECORD_DIR,
  PROCESS_GROUP_EXEC_WRAPPER,
  PROCESS_GROUP_KILL_SCRIPT,
  processGroupExecArgv,
  processGroupKillArgv,
  reachedTimeLimit,
  TIMEOUT_EXIT_CODES,
} from './process-group-exec.js'
export { readScriptedJobResult, SCRIPTED_JOB_DRIVER, stageScriptedJob } from './scripted-job-driver.js'
export { CLEAN_REPO_HISTORY_DIGEST, CLEAN_REPO_HISTORY_SCRIPT, cleanRepoHistoryArgv, cleanRepoHistoryFailure, uncleanRepoError } from './repo-history.js'
