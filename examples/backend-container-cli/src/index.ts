export { type CliOutcome, type CliRunOptions, ContainerCli } from './cli-runner.js'
export {
  ContainerCliBackend,
  type ContainerCliBackendSettings,
  type ContainerCliReapFilter,
  createContainerCliBackend,
} from './container-backend.js'
/** The container name of a new sandbox, from the backend kit. */
export { containerName } from '@cooperbench/backend-kit'
export { ContainerExecution, type ExecRequest } from './container-exec.js'
export type { CommandOutcome as ExecOutcome, StopReason } from '@cooperbench/backend-kit'
export { ContainerSandbox, type ContainerSandboxInit } from './container-sandbox.js'
export {
  type ExecInvocation,
  execArguments,
  killArguments,
  LOGIN_ENTRY,
  LOGIN_PATH_HOOK,
  LOGIN_PATH_HOOK_FILE,
  STARTUP_SCRIPT,
} from './exec-wrapper.js'
export { type EnsuredImage, type ImageAction, type ImageDetails, TaskImages } from './images.js'
export { BACKEND_NAME, CONTAINER_CLI_LABELS, owner, sandboxLabels } from './labels.js'
export {
  type ContainerCliOptions,
  type ContainerEngine,
  containerCliOptionsSchema,
  resolveContainerCliOptions,
  type ResolvedContainerCliOptions,
  type SandboxNetwork,
} from './options.js'
export { KEEP_ALIVE_SECONDS, runArguments, type RunArgumentsInput } from './run-arguments.js'
// The plugin is also the default export, for loaders that import the package's main module
// (a config file naming this folder by path).
export { default, default as containerCliPlugin } from './register.js'
