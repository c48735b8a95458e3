export { OpenHandsBridgeAgent } from './openhands-agent.js'
export { AgentServerClient, AgentServerError, type ConversationInfo, type ServerEvent } from './server-client.js'
export { MIN_SERVER_VERSION, TESTED_SERVER_VERSION } from './server-version.js'
export { type OpenHandsOptions, openHandsOptionsSchema } from './options.js'
