/**
 * The `wait_for_message` tool of the team setting's `mcp` feature (upstream's MCP long-poll, PR
 * #53): a tool that blocks until a teammate's message reaches the agent, or its timeout passes.
 * What agents that offer it (the CLI agents, through an MCP server in the sandbox) and the team
 * briefing that names it agree on.
 */
export const WAIT_FOR_MESSAGE_TOOL = {
  name: 'wait_for_message',
  /** The wait when the call gives no `timeout_seconds`. */
  defaultSeconds: 60,
  /** The longest wait one call may ask for; a larger `timeout_seconds` is cut to it. */
  maxSeconds: 600,
} as const
