import type { Mailbox } from '@cooperbench/spec'
import { pyStrip } from './function-calling.js'

/** What became of a step's sends: the whole answer, or the sends' lines and the rest of the command to run. */
type Intercepted = { observation: string } | { sent: string; remaining: string }

/** Who can be messaged, and where: the pair's agents (upstream's `agents`, the agent itself included) and the run's mailbox, if any. */
export interface Messenger {
  agentId: string
  agents: readonly string[]
  mailbox: Mailbox | null
  /** Messages the agent sent itself: upstream's inbox would hold them for its next step. */
  toSelf: string[]
}

// Python's \w in a str pattern is Unicode-aware.
const DOUBLE = /send_message\s+([\p{L}\p{N}_]+)\s+"([^"]*)"/gu
const SINGLE = /send_message\s+([\p{L}\p{N}_]+)\s+'([^']*)'/gu

/**
 * Option `send_message: whole`: a `send_message` tool call's arguments go to the bus as they are, never to bash. Upstream
 * (the default, {@link sendTypedMessages} on the call's command line) reads the shell-quoted message: the teammate gets the
 * quotes, and a message holding a quote is cut there, the rest of the line run in bash.
 */
export async function sendToolCall(messenger: Messenger, args: Record<string, unknown>): Promise<Intercepted> {
  if (messenger.mailbox === null) return { observation: 'Error: Messaging is not enabled for this agent' }
  return { observation: await deliver(messenger, [[String(args['recipient']), String(args['message'])]]) }
}

/**
 * `send_message <id> "text"` (or `'text'`) typed in a command, cut out as upstream's `_handle_send_message` (0.0.14) does:
 * double-quoted sends, then single-quoted; the rest runs. Null without one or without a mailbox (the command runs as is).
 */
export async function sendTypedMessages(messenger: Messenger, action: string): Promise<Intercepted | null> {
  if (messenger.mailbox === null) return null
  const command = pyStrip(action)
  const sends = [...command.matchAll(DOUBLE), ...command.matchAll(SINGLE)].map((m): [string, string] => [m[1]!, m[2]!])
  if (sends.length === 0) return null
  const lines = await deliver(messenger, sends)
  const remaining = pyStrip(
    command
      .replace(DOUBLE, '')
      .replace(SINGLE, '')
      .replace(/^\s*&&\s*/u, '')
      .replace(/\s*&&\s*$/u, '')
      .replace(/&&\s*&&/gu, '&&')
      .replace(/\|\|\s*\|\|/gu, '||'),
  )
  return remaining === '' ? { observation: lines } : { sent: lines, remaining }
}

async function deliver(messenger: Messenger, sends: Array<[string, string]>): Promise<string> {
  const lines: string[] = []
  for (const [recipient, content] of sends) {
    if (!messenger.agents.includes(recipient)) {
      lines.push(`Error: Unknown agent '${recipient}'. Available agents: ${messenger.agents.join(', ')}`)
      continue
    }
    if (recipient === messenger.agentId) messenger.toSelf.push(content)
    else await messenger.mailbox!.send(recipient, content)
    lines.push(`Message sent to ${recipient}`)
  }
  return lines.join('\n')
}
