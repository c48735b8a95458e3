import { applyPatchCommand, describeAgentConformance, localTestSandboxes } from '@cooperbench/testkit'
import { afterAll } from 'vitest'
import { CliAgent, codexProfile, hostBinary } from '../src/index.js'

// The real Codex CLI binary from npm (a devDependency), in local sandboxes that share this
// machine's network so that it reaches the scripted OpenAI Responses server on 127.0.0.1.
const sandboxes = localTestSandboxes({ network: true })
afterAll(() => sandboxes.close())
const binary = hostBinary(codexProfile)

describeAgentConformance('codex', {
  skip: sandboxes.skip || (binary === null && !process.env.CI ? `${codexProfile.npm.package}@${codexProfile.npm.version} is not installed` : false),
  createAgent: () => new CliAgent(codexProfile, { env: { OPENAI_API_KEY: 'conformance-dummy-key' } }),
  createSandbox: sandboxes.create,
  wire: 'openai-responses',
  model: 'openai/scripted-model',
  modelOptions: (url) => ({ model_base_url: url }),
  options: { poll_seconds: 0.5, step_limit: 10 },
  script: ({ goldPatch }) => [
    { toolCalls: [{ name: 'exec_command', arguments: { cmd: applyPatchCommand(goldPatch) } }] },
    { content: 'The feature is implemented.' },
  ],
  messaging: true,
})
