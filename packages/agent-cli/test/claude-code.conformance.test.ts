import { applyPatchCommand, describeAgentConformance, localTestSandboxes } from '@cooperbench/testkit'
import { afterAll } from 'vitest'
import { CliAgent, claudeCodeProfile, hostBinary } from '../src/index.js'

// The real Claude Code binary from npm (a devDependency), in local sandboxes that share this
// machine's network so that it reaches the scripted Anthropic Messages server on 127.0.0.1.
const sandboxes = localTestSandboxes({ network: true })
afterAll(() => sandboxes.close())
const binary = hostBinary(claudeCodeProfile)

describeAgentConformance('claude_code', {
  skip: sandboxes.skip || (binary === null && !process.env.CI ? `${claudeCodeProfile.npm.package}@${claudeCodeProfile.npm.version} is not installed` : false),
  createAgent: () => new CliAgent(claudeCodeProfile, { env: { ANTHROPIC_API_KEY: 'conformance-dummy-key' } }),
  createSandbox: sandboxes.create,
  wire: 'anthropic-messages',
  model: 'anthropic/scripted-model',
  modelOptions: (url) => ({ model_base_url: url }),
  options: { poll_seconds: 0.5, step_limit: 10 },
  script: ({ goldPatch }) => [
    { toolCalls: [{ name: 'Bash', arguments: { command: applyPatchCommand(goldPatch), description: 'Apply the change' } }] },
    { content: 'The feature is implemented.' },
  ],
  messaging: true,
})
