import { definePlugin } from '@cooperbench/spec'
import { packageVersion } from '@cooperbench/spec-utils'
import { claudeCodeProfile } from './profiles/claude-code.js'
import { codexProfile } from './profiles/codex.js'
import { qwenCodeProfile } from './profiles/qwen-code.js'
import { cliAgentRegistration } from './registration.js'

const version = packageVersion(import.meta.url)

/** The plugin that contributes the first-party CLI agents: `claude_code`, `codex`, `qwen_code` */
export default definePlugin({
  name: '@cooperbench/agent-cli',
  version,
  coreRange: '^0.1.0',
  register(api) {
    api.agent(cliAgentRegistration(claudeCodeProfile, 'cc'))
    api.agent(cliAgentRegistration(codexProfile, 'cdx'))
    api.agent(cliAgentRegistration(qwenCodeProfile, 'qwen'))
  },
})
