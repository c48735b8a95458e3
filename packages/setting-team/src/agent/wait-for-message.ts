/** The `mcp` feature's `wait_for_message` tool (upstream's MCP long-poll, PR #53), as the agents offering it and the briefing agree. */
export const WAIT_FOR_MESSAGE_TOOL = {
  name: 'wait_for_message',
  /** The wait when the call gives no `timeout_seconds`. */
  defaultSeconds: 60,
  /** The longest wait one call may ask for; a larger `timeout_seconds` is cut to it. */
  maxSeconds: 600,
} as const
