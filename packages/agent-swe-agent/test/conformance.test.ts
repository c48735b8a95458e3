import { applyPatchCommand, describeAgentConformance, localTestSandboxes, type ScriptedTurn } from '@cooperbench/testkit'
import { afterAll } from 'vitest'
import { createChatModel } from '@cooperbench/agent-mini-swe'
import { SweAgent } from '../src/index.js'
import { teamTemplateFile, UPSTREAM_MISSING, upstreamOptions } from './support/upstream.js'

// Real sandboxes of the local backend, upstream's coop.yaml and bundles installed in each.
const sandboxes = localTestSandboxes()
afterAll(() => sandboxes.close())

const call = (name: string, args: Record<string, unknown>): ScriptedTurn => ({ toolCalls: [{ name, arguments: args }] })

describeAgentConformance('swe_agent', {
  skip: UPSTREAM_MISSING || sandboxes.skip,
  createAgent: () =>
    new SweAgent({ createModel: (options) => createChatModel({ ...options, maxRetries: 0, env: { OPENAI_API_KEY: 'conformance-dummy-key' } }) }),
  createSandbox: sandboxes.create,
  model: 'openai/scripted-model',
  modelOptions: (url) => ({ ...upstreamOptions('coop'), model_base_url: url }),
  // SWE-agent's review step: the first submit shows the diff, the second submits.
  script: ({ goldPatch }) => [call('bash', { command: applyPatchCommand(goldPatch) }), call('submit', {}), call('submit', {})],
  // Upstream clears an agent's inbox when it starts, so a message queued before is never shown (messages during the run are: see loop.test.ts).
  messaging: false,
  // Of the team it takes only upstream's block (registration `briefingOnly`), so shows no task-list summary.
  team: { promptTemplate: teamTemplateFile() },
  timeoutMs: 120_000,
})
