import { qwenCodeProfile } from '../src/index.js'
import { describeCliAgentConformance } from './support/cli-conformance.js'
import { qwenCodeShell } from './support/shell-calls.js'

// The real Qwen Code CLI (JavaScript, run by the Node.js running the tests) against the scripted
// OpenAI Chat Completions server.
describeCliAgentConformance(qwenCodeProfile, {
  env: { OPENAI_API_KEY: 'conformance-dummy-key' },
  model: 'openai/scripted-model',
  shell: qwenCodeShell,
  // A large JavaScript CLI: its start alone takes seconds on a busy machine.
  timeoutMs: 120_000,
})
