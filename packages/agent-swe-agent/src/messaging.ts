import type { Mailbox } from '@cooperbench/spec'
import { pyStrip } from './function-calling.js'

/** What became of a step's sends: the whole answer, or the sends' lines and the rest of the command to run. */
type Intercepted = { observation: string } | { sent: string; remaining: string }

/** Who can be messaged, and where: the team (upstream's `agents`, the agent itself included) and the run's mailbox, if any. */
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
 * A `send_message` tool call: its `recipient` and `message` arguments go to the bus, never to bash.
 * Upstream matches the command line SWE-agent builds from the call, where the message is
 * shell-quoted: its teammate then reads the quotes, and a message holding `"` reaches bash, whose
 * stub answers with an error. Here the model's own arguments are sent.
 */
export async function sendToolCall(messenger: Messenger, args: Record<string, unknown>): Promise<Intercepted> {
  if (messenger.mailbox === null) return { observation: 'Error: Messaging is not enabled for this agent' }
  return { observation: await deliver(messenger, [[String(args['recipient']), String(args['message'])]]) }
}

/**
 * `send_message <id> "text"` (or `'text'`) typed in a command, found and cut out as upstream's
 * `DefaultAgent._handle_send_message` does (CooperBench 0.0.14): every double-quoted send, then
 * every single-quoted one; what is left of the command still runs. Null when there is none or the
 * run has no mailbox (the command then runs as it is, as upstream's).
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
