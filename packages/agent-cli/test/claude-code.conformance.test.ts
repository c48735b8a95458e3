import { describeCliAgentConformance } from './support/cli-conformance.js'
import { CLI_SETUPS } from './support/cli-setups.js'

// Its team checks are codex's: the prompt they judge (nothing shown names a feature that is off)
// is the same code for every profile, and claude_code's own team run is end to end in
// team-mcp.e2e.test.ts (lead and member submit, both told of and offered wait_for_message). Its
// messaging checks (a message queued before the start, two peers' messages) are those of
// third-party-profile.test.ts, which runs them on this same Claude Code binary, and codex's; its
// messages both ways are end to end in claude-code.e2e.test.ts.
describeCliAgentConformance({ ...CLI_SETUPS.claude_code, teamChecks: false, messagingChecks: false })
