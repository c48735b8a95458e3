import { describeAgentConformance, localTestSandboxes, textTurn } from '@cooperbench/testkit'
import { afterAll } from 'vitest'
import { createOneshotAgent } from '../src/index.js'

const sandboxes = localTestSandboxes()
afterAll(() => sandboxes.close())

// The harness' contract, checked by the testkit's suite: real sandboxes of the local backend, and a
// scripted OpenAI-compatible server that answers with the fixture feature's gold diff.
describeAgentConformance('oneshot', {
  skip: sandboxes.skip,
  // No key: the scripted server listens on 127.0.0.1, where none is needed.
  createAgent: () => createOneshotAgent({ requestTimeoutMs: 10_000 }, { env: {} }),
  createSandbox: sandboxes.create,
  modelOptions: (url) => ({ model_base_url: url }),
  script: ({ goldPatch }) => [textTurn(`Here is the change.\n\n\`\`\`diff\n${goldPatch}\`\`\`\n`)],
  messaging: true,
})
