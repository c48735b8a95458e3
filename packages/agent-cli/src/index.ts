export { hostBinary, hostPackageDir, hostPlatformKey, installCommand, layerBinaryPath } from './binary.js'
export { CliAgent, type CliAgentDeps } from './cli-agent.js'
export { cliImageLayer, cliTagSuffix } from './image-layer.js'
export { classifyFailure, stderrTail } from './failure.js'
export {
  CLI_AGENT_DEFAULTS,
  type CliAgentOptions,
  cliAgentOptionsSchema,
  parseCliAgentOptions,
  type ResolvedCliOptions,
  resolveCliOptions,
  cliOwnLimits,
} from './options.js'
export {
  type CliInvocation,
  type CliInvocationInput,
  type CliMcpServer,
  type CliNpmSource,
  type CliProfile,
  type CliReferenceProtocol,
  type CliStreamSummary,
  type CliTrajectoryMessage,
  emptySummary,
  jsonLines,
  numberOr,
  withoutProvider,
} from './profile.js'
export { claudeCodeProfile, parseClaudeStream } from './profiles/claude-code.js'
export { codexProfile, parseCodexStream } from './profiles/codex.js'
export { qwenCodeProfile } from './profiles/qwen-code.js'
export { MCP_SERVER_NAME, MCP_WAIT_COMMAND, mcpWaitServer, mcpWaitServerScript } from './mcp-wait-server.js'
export { buildCliPrompt, CLI_PROMPT_PROFILE, type CliPromptInput } from './prompt.js'
export { referenceCommandScripts, referenceInboxEntry } from './reference/coop-commands.js'
export { cliPromptSource } from './reference/prompt-source.js'
export { loadReferencePromptTemplate, type ReferencePromptInput, type ReferencePromptTemplate, renderReferencePrompt } from './reference/prompt-template.js'
export { REFERENCE_PATCH_FILE, referencePatchText } from './reference/submitted-patch.js'
export { cliAgentRegistration } from './registration.js'
export { CLI_BIN_DIR, CLI_STATE_DIR, teammateCommandScripts } from './teammate-commands.js'
