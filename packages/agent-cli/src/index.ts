/** What a third-party plugin needs to add a terminal coding agent (docs/plugin-guide.md, "Adding a CLI profile"). */
export { hostBinary } from './binary.js'
export { CliAgent, type CliAgentDeps } from './cli-agent.js'
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
export { cliAgentRegistration } from './registration.js'
