import { describeAgentConformance, textTurn } from '@cooperbench/testkit'
import { createOneshotAgent } from '../src/index.js'
import { bwrapSkipReason, createBwrapSandbox } from './support/bwrap-sandbox.js'

// The harness' contract, checked by the testkit's suite: real bubblewrap sandboxes, and a
// scripted OpenAI-compatible server that answers with the fixture feature's gold diff.
describeAgentConformance('oneshot', {
  skip: bwrapSkipReason,
  // No key: the scripted server listens on 127.0.0.1, where none is needed.
  createAgent: () => createOneshotAgent({ requestTimeoutMs: 10_000 }, { env: {} }),
  createSandbox: createBwrapSandbox,
  modelOptions: (url) => ({ model_base_url: url }),
  script: ({ goldPatch }) => [textTurn(`Here is the change.\n\n\`\`\`diff\n${goldPatch}\`\`\`\n`)],
  messaging: true,
})
