import { applyPatchCommand, describeAgentConformance, localTestSandboxes } from '@cooperbench/testkit'
import { afterAll } from 'vitest'
import { CliAgent, qwenCodeProfile, hostBinary } from '../src/index.js'

// The real Qwen Code CLI from npm (a devDependency; JavaScript, run by the Node.js running the
// tests), in local sandboxes that share this machine's network so that it reaches the scripted OpenAI Chat Completions server on 127.0.0.1.
const sandboxes = localTestSandboxes({ network: true })
afterAll(() => sandboxes.close())
const binary = hostBinary(qwenCodeProfile)

describeAgentConformance('qwen_code', {
  skip: sandboxes.skip || (binary === null && !process.env.CI ? `${qwenCodeProfile.npm.package}@${qwenCodeProfile.npm.version} is not installed` : false),
  createAgent: () => new CliAgent(qwenCodeProfile, { env: { OPENAI_API_KEY: 'conformance-dummy-key' } }),
  createSandbox: sandboxes.create,
  model: 'openai/scripted-model',
  modelOptions: (url) => ({ model_base_url: url }),
  options: { poll_seconds: 0.5, step_limit: 10 },
  script: ({ goldPatch }) => [
    { toolCalls: [{ name: 'run_shell_command', arguments: { command: applyPatchCommand(goldPatch) } }] },
    { content: 'The feature is implemented.' },
  ],
  messaging: true,
  // A large JavaScript CLI: its start alone takes seconds on a busy machine.
  timeoutMs: 120_000,
})
