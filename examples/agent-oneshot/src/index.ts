export { type ChatClient, type ChatClientOptions, type ChatMessage, type ChatReply, type ChatRequest, type ChatUsage, createChatClient } from './chat-client.js'
export {
  type ContextFile,
  gatherContext,
  listingOf,
  type MentionKind,
  mentionedPaths,
  packContext,
  type RankedFile,
  rankFiles,
  type ReadRepoFile,
  type RepoContext,
} from './context.js'
export { type ApplyOutcome, type ApplyStrategy, applyDiff, diffPaths, extractDiff, fencedBlocks, NoDiffFoundError, normalizeDiff } from './diff.js'
export { isLoopback, type ModelEndpoint, resolveEndpoint } from './endpoint.js'
export { createOneshotAgent, type OneshotAgentDeps, type OneshotTrajectoryMessage } from './oneshot-agent.js'
export { callBudget, type OneshotOptions, oneshotOptionsSchema, oneshotOwnLimits, withOneshotDefaults } from './options.js'
export { retryPrompt, systemPrompt, type TaskPromptInput, taskPrompt, teammateMessageText } from './prompt.js'
// The plugin is also the default export, for loaders that import the package's main module.
export { default, default as oneshotPlugin } from './register.js'
