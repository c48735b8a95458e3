import type { BusMessage, Mailbox } from '@cooperbench/spec'

/** The coop tools as client tools: the server hands each call to the bridge (an ActionEvent), which runs it on the bus; replies come back as user messages. */
export const SEND_MESSAGE_TOOL = 'send_message'
export const CHECK_MESSAGES_TOOL = 'check_messages'

export function teammateToolSpecs(peers: readonly string[]): Array<Record<string, unknown>> {
  return [
    {
      name: SEND_MESSAGE_TOOL,
      description: `Send a message to a teammate working on the same repository in another sandbox (${peers.join(', ')}). Use it to agree on who changes which file, and to warn about overlapping edits.`,
      parameters: {
        type: 'object',
        properties: {
          to: { type: 'string', enum: [...peers], description: 'The teammate to message.' },
          content: { type: 'string', description: 'The message.' },
        },
        required: ['to', 'content'],
      },
    },
    {
      name: CHECK_MESSAGES_TOOL,
      description: 'Read messages your teammates sent you that you have not seen yet. New messages also arrive on their own as user messages.',
      parameters: { type: 'object', properties: {} },
    },
  ]
}

/** The user message that hands teammates' messages to the agent. */
export function inboxText(messages: readonly BusMessage[]): string {
  return messages.map((m) => `[Message from ${m.from}]: ${m.content}`).join('\n\n')
}

/** Runs one coop tool call; returns a user message to post, or null. */
export async function runTeammateTool(mailbox: Mailbox, tool: string, args: Record<string, unknown>): Promise<string | null> {
  if (tool === SEND_MESSAGE_TOOL) {
    // Without a recipient, a pair's only teammate; a named one must be a teammate.
    const named = typeof args.to === 'string' && args.to !== '' ? args.to : null
    const to = named !== null ? (mailbox.peers.includes(named) ? named : null) : mailbox.peers.length === 1 ? mailbox.peers[0]! : null
    const content = typeof args.content === 'string' ? args.content : ''
    if (to === null) return `[send_message failed] "to" must be one of: ${mailbox.peers.join(', ')}`
    if (content.trim() === '') return '[send_message failed] "content" is empty'
    const sent = await mailbox.send(to, content)
    return sent.recipientFinished ? `[send_message] delivered to ${to}, who has already finished and will not read it` : null
  }
  if (tool === CHECK_MESSAGES_TOOL) {
    const messages = await mailbox.receive()
    return messages.length === 0 ? '[check_messages] no new messages' : inboxText(messages)
  }
  return null
}
