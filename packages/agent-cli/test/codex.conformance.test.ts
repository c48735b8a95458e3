import { codexProfile } from '../src/index.js'
import { describeCliAgentConformance } from './support/cli-conformance.js'
import { codexShell } from './support/shell-calls.js'

// The real Codex CLI binary against the scripted OpenAI Responses server.
describeCliAgentConformance(codexProfile, {
  env: { OPENAI_API_KEY: 'conformance-dummy-key' },
  wire: 'openai-responses',
  model: 'openai/scripted-model',
  shell: codexShell,
})
