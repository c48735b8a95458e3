import { applyPatchCommand, describeAgentConformance, finalTurn, localTestSandboxes, toolCall } from '@cooperbench/testkit'
import { afterAll } from 'vitest'
import { createChatModel, MiniSweAgent, parseOptions } from '../src/index.js'

// Real sandboxes of the local backend. Without bubblewrap the suite is skipped, except in CI.
const sandboxes = localTestSandboxes()
afterAll(() => sandboxes.close())

describeAgentConformance('mini_swe_agent', {
  skip: sandboxes.skip,
  // A dummy key from the model client's own env (not process.env); the scripted server needs none.
  createAgent: () =>
    new MiniSweAgent(parseOptions({ step_limit: 10, model: { max_retries: 0, timeout_seconds: 30 } }), {
      createModel: (options) => createChatModel({ ...options, env: { OPENAI_API_KEY: 'conformance-dummy-key' } }),
    }),
  createSandbox: sandboxes.create,
  model: 'openai/scripted-model',
  modelOptions: (url) => ({ model_base_url: url }),
  script: ({ goldPatch }) => [toolCall(applyPatchCommand(goldPatch)), finalTurn()],
  messaging: true,
  // A loop agent: the [Team task list] summary before every model call.
  team: { autoRefresh: true },
})
