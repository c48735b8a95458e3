export { parseToolCalls } from './function-calling.js'
export { SweAgent } from './swe-agent.js'
export { readSweAgentConfig } from './swe-config.js'
