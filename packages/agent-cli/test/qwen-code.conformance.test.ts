import { describeCliAgentConformance } from './support/cli-conformance.js'
import { CLI_SETUPS } from './support/cli-setups.js'

// qwen_code starts slowly (a minute a run here): its team checks, the same prompt code as claude_code's and codex's, are left to those.
describeCliAgentConformance({ ...CLI_SETUPS.qwen_code, teamChecks: false })
