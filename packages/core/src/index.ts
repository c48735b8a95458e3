/**
 * `@cooperbench/core` for plugin authors: the contracts an agent, backend, bus or evaluator
 * implements, `definePlugin`, errors, and the sandbox helpers backends share. The harness's own
 * machinery is behind subpaths: `@cooperbench/core/config`, `/dataset`, `/runner`,
 * `/evaluator`, `/results` and `/plugins`.
 */
export * from './contracts/index.js'
export { CooperbenchError, type CooperbenchErrorOptions, type ErrorCode, errorMessage, ExitCode, isCooperbenchError } from './errors.js'
export {
  applyPlugin,
  definePlugin,
  type PluginApi,
  type PluginDefinition,
  type RegisterHook,
  type RegisterHookOptions,
} from './plugin/define-plugin.js'
export {
  type FactoryContext,
  type PluginFailure,
  type PluginIdentity,
  type PluginObjects,
  PluginRegistry,
  type RegisteredEntry,
  type Registration,
} from './plugin/registry.js'
export { PLUGIN_KINDS, type PluginKind, SPECIFICATION_VERSIONS } from './plugin/specification.js'
export { Tokens, type Token, type PairContext, type AgentScopeContext } from './plugin/tokens.js'
export type { ServiceContext, ServiceRegistration, ServiceScope } from './plugin/services.js'
export type { SetupContext, SetupResult } from './plugin/setup.js'
export { CORE_VERSION } from './version.js'
export { invalidConfigError, pluginOptionsProblems, validatePluginOptions } from './config/validate.js'
export { createDefaultEvaluator } from './eval/evaluator/default-evaluator.js'
export { imageName } from './runner/plan.js'
export { CappedOutput, truncationMarker } from './util/capped-output.js'
export { type CommandScript, CONTAINER_STARTUP_SCRIPT, INLINE_COMMAND_MAX_BYTES, LOGIN_PATH_HOOK, LOGIN_PATH_HOOK_FILE, type LoginShellInvocation, loginShellInvocation, type SandboxCommand, sandboxCommand } from './util/long-command.js'
export { CommandSandbox } from './util/exec-sandbox.js'
export { EXEC_RECORD_DIR, processGroupExecArgv, processGroupKillArgv, TIMEOUT_EXIT_CODES } from './util/process-group-exec.js'
export { currentProcessIdentity, isProcessAlive, type ProcessIdentity } from './util/process-identity.js'
