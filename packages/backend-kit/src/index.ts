/**
 * `@cooperbench/backend-kit`: what every backend shares, so a backend is its provider's calls
 * and little else. Depends only on `@cooperbench/spec`.
 *
 * - commands: `loginShellInvocation` (a command of any length as `bash -lc`), the process-group
 *   wrapper and kill (`processGroupExecArgv`/`processGroupKillArgv`), `CappedOutput`;
 * - sandboxes driven by a command line (`CommandSandbox`: exec, files and ports over one primitive);
 * - ports: `startPortRelay` (a local listener over a command in the sandbox);
 * - ownership: `currentProcessIdentity`/`isProcessAlive` for labels that say which live process
 *   created a sandbox;
 * - batch platforms: the scripted-job driver and `RecordedRunSandbox`;
 * - images: `imageName`, `layeredImageName`; concurrency: `Semaphore`, `forEachConcurrent`.
 */
export { CappedOutput, cappedText, truncationMarker } from './capped-output.js'
export { forEachConcurrent, Semaphore } from './concurrency.js'
export { CommandSandbox } from './exec-sandbox.js'
export { imageName, layeredImageName } from './image-name.js'
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
export { EXEC_RECORD_DIR, processGroupExecArgv, processGroupKillArgv, TIMEOUT_EXIT_CODES } from './process-group-exec.js'
export { currentProcessIdentity, isProcessAlive, type ProcessIdentity } from './process-identity.js'
export { RecordedRunSandbox } from './recorded-run-sandbox.js'
export { readScriptedJobResult, SCRIPTED_JOB_DRIVER, stageScriptedJob } from './scripted-job-driver.js'
