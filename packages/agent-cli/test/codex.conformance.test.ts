import { describeCliAgentConformance } from './support/cli-conformance.js'
import { CLI_SETUPS } from './support/cli-setups.js'

describeCliAgentConformance(CLI_SETUPS.codex)
