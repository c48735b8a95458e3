import { applyPatchCommand, describeAgentConformance, localTestSandboxes } from '@cooperbench/testkit'
import { fakeOpenHandsServerCommand, installFakeOpenHandsServer } from '@cooperbench/standins/openhands-server'
import { afterAll } from 'vitest'
import { OpenHandsBridgeAgent } from '../src/index.js'

// Local sandboxes sharing this machine's network (the server in the sandbox calls the scripted
// model on 127.0.0.1), and the stand-in agent server where the sandbox sees it read-only.
// OPENHANDS_SERVER_COMMAND runs the same suite against another server, e.g. the real one
// (scripts/openhands-real-server/README.md).
const sandboxes = localTestSandboxes({ network: true })
const server = await installFakeOpenHandsServer()
const serverCommand = process.env.OPENHANDS_SERVER_COMMAND ?? fakeOpenHandsServerCommand(server.dir, '{port}', ['--host', '127.0.0.1'])
afterAll(async () => {
  await sandboxes.close()
  await server.remove()
})

describeAgentConformance('openhands_sdk', {
  skip: sandboxes.skip,
  createAgent: () => new OpenHandsBridgeAgent(),
  createSandbox: sandboxes.create,
  model: 'openai/scripted-model',
  options: { server_command: serverCommand, poll_seconds: 0.2, step_limit: 10 },
  script: ({ goldPatch }) => [
    { toolCalls: [{ name: 'terminal', arguments: { command: applyPatchCommand(goldPatch) } }] },
    { toolCalls: [{ name: 'finish', arguments: { message: 'done' } }] },
  ],
  messaging: true,
  // Its own prompts show the briefing's sections; its terminal finds the command tools by name.
  coordination: { promptSource: 'cooperbench-v1', runCommand: (command) => ({ toolCalls: [{ name: 'terminal', arguments: { command } }] }) },
  // The team setting as the lead: it submits, and never names a feature that is off.
  team: {},
  timeoutMs: 60_000,
})
