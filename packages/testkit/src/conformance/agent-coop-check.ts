import { randomBytes } from 'node:crypto'
import { MemoryBus } from '@cooperbench/builtins'
import { type AgentCheckSetup, type AgentRunRecord, violation, runAgentOnFixture } from './agent-run.js'
import { checkSubmitted } from './agent-result-checks.js'
import { requestTexts } from './request-texts.js'

// Coop and messaging

/** What a coop check saw. */
export interface CoopOutcome {
  run: AgentRunRecord
  /** The message agent2 sent before the agent started. */
  message: { id: string; content: string }
  /** Its delivery state after the run: `read` when the agent drained its inbox. */
  deliveryState: string | null
  /** Every teammate's message and its delivery state (one per peer; agent2's first). */
  messages: Array<{ from: string; id: string; content: string; deliveryState: string | null }>
}

/**
 * The agent runs as `agent1` in coop (peer `agent2`, a {@link MemoryBus} mailbox) after agent2
 * queued a message for it. Always: a mailbox being present does not make `run` throw, and the
 * agent still submits. With `expectMessage` (agents that message): the agent received the
 * message (its delivery state became `read`) and passed it on: the scripted model's requests
 * contain `[Message from agent2]: <content>`, or, for an agent without a model, its trajectory
 * contains the content.
 */
export async function checkCoopWithMailbox(setup: AgentCheckSetup, options: { expectMessage?: boolean; pairSize?: number } = {}): Promise<CoopOutcome> {
  const bus = new MemoryBus()
  const namespace = `run:conformance-${randomBytes(6).toString('hex')}`
  const team = Array.from({ length: Math.max(2, options.pairSize ?? 2) }, (_, i) => `agent${i + 1}`)
  const mailbox = await bus.open(namespace, 'agent1', team.slice(1))
  const peers = await Promise.all(
    team.slice(1).map((id) =>
      bus.open(
        namespace,
        id,
        team.filter((other) => other !== id),
      ),
    ),
  )
  try {
    const sends = await Promise.all(
      peers.map(async (p) => {
        const content = `Hello agent1, this is ${p.agentId}: I will not touch calc.py (conformance ${randomBytes(4).toString('hex')}).`
        return { from: p.agentId, content, sent: await p.send('agent1', content) }
      }),
    )
    const { content, sent } = sends[0]!
    let run: AgentRunRecord
    try {
      run = await runAgentOnFixture(setup, { mailbox })
    } finally {
      await mailbox.finish()
      await mailbox.close()
    }
    checkSubmitted(run, 'run in coop with a mailbox')
    const messages = await Promise.all(
      sends.map(async (s, i) => ({ from: s.from, id: s.sent.message.id, content: s.content, deliveryState: await peers[i]!.deliveryState(s.sent.message.id) })),
    )
    if (options.expectMessage) {
      for (const message of messages) {
        if (message.deliveryState !== 'read') {
          violation(
            `the message ${message.from} queued before the start was never received (delivery state ${String(message.deliveryState)}): the agent should drain ctx.mailbox`,
          )
        }
        const expected = `[Message from ${message.from}]: ${message.content}`
        if (setup.script) {
          const seen = run.requests.some((request) => requestTexts(request.body).some((text) => text.includes(expected)))
          if (!seen) {
            violation(
              `no request to the model contains ${JSON.stringify(expected)} (${run.requests.length} request(s)): the agent received the message but did not show it to its model`,
            )
          }
        } else {
          const trajectory = JSON.stringify([run.result?.messages ?? [], run.recorder.saves])
          if (!trajectory.includes(message.content))
            violation(`the trajectory does not mention the message ${message.from} sent (${JSON.stringify(message.content)})`)
        }
      }
    }
    return { run, message: { id: sent.message.id, content }, deliveryState: messages[0]!.deliveryState, messages }
  } finally {
    for (const p of peers) await p.close().catch(() => {})
    await bus.clear(namespace).catch(() => {})
    await bus.close().catch(() => {})
  }
}
