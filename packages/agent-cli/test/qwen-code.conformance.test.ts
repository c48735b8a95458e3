import { describeCliAgentConformance } from './support/cli-conformance.js'
import { CLI_SETUPS } from './support/cli-setups.js'

// qwen_code starts slowly (a minute a run here): its team checks, the same prompt code as codex's, are left to codex's suite.
// So are its messaging checks (a message queued before the start, two peers' messages): the
// same prompt, mailbox relay and commands as theirs. Its own messaging is checked end to end:
// both ways in coop (qwen-code.e2e.test.ts), and a teammate's message in its model's request
// (team-mcp.e2e.test.ts, qwen_code "mcp on"). Its run with a mailbox stays here.
describeCliAgentConformance({ ...CLI_SETUPS.qwen_code, teamChecks: false, messagingChecks: false })
