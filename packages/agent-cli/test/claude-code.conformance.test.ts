import { claudeCodeProfile } from '../src/index.js'
import { describeCliAgentConformance } from './support/cli-conformance.js'
import { claudeCodeShell } from './support/shell-calls.js'

// The real Claude Code binary against the scripted Anthropic Messages server.
describeCliAgentConformance(claudeCodeProfile, {
  env: { ANTHROPIC_API_KEY: 'conformance-dummy-key' },
  wire: 'anthropic-messages',
  model: 'anthropic/scripted-model',
  shell: claudeCodeShell,
})
