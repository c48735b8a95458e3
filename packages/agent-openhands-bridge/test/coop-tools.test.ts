import { MemoryBus } from '@cooperbench/builtins'
import { applyPatchCommand, runAgentOnFixture } from '@cooperbench/testkit'
import type { ScriptedTurn } from '@cooperbench/testkit/llm-server'
import { describe, expect, it } from 'vitest'
import { OpenHandsBridgeAgent } from '../src/index.js'
import { standInRig } from './stand-in-rig.js'

/**
 * The coop tools end to end: agent1 sends with `send_message`, its teammate answers, agent1 reads
 * the answer with `check_messages`. On the stand-in by default; OPENHANDS_SERVER_COMMAND runs it
 * on another server, e.g. the real one (scripts/openhands-real-server/README.md).
 */
const rig = await standInRig()
const { sandboxes } = rig
const serverCommand = process.env.OPENHANDS_SERVER_COMMAND ?? rig.command()

const MINE = 'agent1 here: I change calc.py only.'
const REPLY = 'agent2 here: fine, I stay out of calc.py.'

describe.skipIf(sandboxes.skip)('send_message and check_messages through the agent server’s client tools', () => {
  it('delivers agent1’s message to its teammate and the teammate’s reply back to agent1’s model', async () => {
    const bus = new MemoryBus()
    const mailbox = await bus.open('run:coop-tools', 'agent1', ['agent2'])
    const peer = await bus.open('run:coop-tools', 'agent2', ['agent1'])
    const received: string[] = []
    try {
      const record = await runAgentOnFixture(
        {
          agent: new OpenHandsBridgeAgent(),
          fixture: rig.fixture,
          createSandbox: sandboxes.create,
          model: 'openai/scripted-model',
          options: { poll_seconds: 0.2, server_command: serverCommand },
          script: ({ goldPatch }) => {
            let turn = 0
            let waits = 0
            let patched = false
            return async (request): Promise<ScriptedTurn> => {
              const t = turn++
              if (t === 0) return { toolCalls: [{ name: 'send_message', arguments: { to: 'agent2', content: MINE } }] }
              if (t === 1) {
                // A client tool is acknowledged at once upstream and run by the bridge meanwhile:
                // the teammate waits for agent1's message, answers, and then agent1 checks.
                for (const message of await peer.waitForMessages('agent1', 20_000)) received.push(message.content)
                await peer.send('agent1', REPLY)
                return { toolCalls: [{ name: 'check_messages', arguments: {} }] }
              }
              // check_messages' answer comes back as a user message, a step or more later.
              if (!JSON.stringify(request.body.messages).includes(REPLY) && waits++ < 20)
                return { toolCalls: [{ name: 'terminal', arguments: { command: 'sleep 0.5' } }] }
              if (!patched) {
                patched = true
                return { toolCalls: [{ name: 'terminal', arguments: { command: applyPatchCommand(goldPatch) } }] }
              }
              return { toolCalls: [{ name: 'finish', arguments: { message: 'done' } }] }
            }
          },
        },
        { mailbox },
      )
      expect(record.result?.status, record.result?.error ?? '').toBe('Submitted')
      expect(received).toEqual([MINE])
      // The reply reaches the model once, as check_messages' answer or as a delivered user message.
      const last = JSON.stringify(record.requests.at(-1)?.body.messages)
      expect(last.split(`[Message from agent2]: ${REPLY}`).length - 1).toBe(1)
      expect(record.patch).not.toBe('')
    } finally {
      await mailbox.close()
      await peer.close()
    }
  }, 120_000)
})
