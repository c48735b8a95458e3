import { usageOf } from '@cooperbench/report'
import type { GitOperation, Step } from './model.js'
import { ZERO_TOKENS } from './pair-summary.js'
import { timeOf } from './time-of.js'

/** A trajectory message as agents write it: mini_swe_agent's shape, read leniently (other agents may write less). */
interface RawMessage {
  role?: unknown
  content?: unknown
  tool_calls?: Array<{ function?: { name?: unknown; arguments?: unknown } }>
  extra?: {
    timestamp?: unknown
    cost?: unknown
    cost_unknown?: unknown
    usage?: Record<string, unknown>
    actions?: Array<{ command?: unknown }>
    returncode?: unknown
    format_error?: unknown
    exit_status?: unknown
  }
}

/** A teammate's message as it reached this agent (`[Message from agent2]: …`, or a reply its `send_message --wait` returned). */
export interface DeliveredMessage {
  from: string
  text: string
  at: number | null
  /** A reply in the observation of the wait: `text` runs to the next line the wait wrote, so may hold what the rest of its command printed. */
  reply?: true
}

export interface ParsedTrajectory {
  steps: Step[]
  delivered: DeliveredMessage[]
  exit: { status: string | null; text: string } | null
}

const DELIVERED = /^\[Message from ([^\]]+)\]: ([\s\S]*)$/
/** mini-SWE's `[Reply from agent2]: …` lines of a `send_message --wait`, each up to the next line the wait wrote (send-message.ts). */
const REPLY =
  /(?<=^|\n)\[Reply from ([^\]\n]+)\]: ([\s\S]*?)(?=\n(?:\[Reply from |Message (?:sent to|not sent|to \S+ not sent)|No reply from |<\/output>)|\n*$)/g

/** An agent's steps: each model reply with its commands and output; without model replies (the oracle), a step per tool message. */
export function parseTrajectory(messages: unknown): ParsedTrajectory {
  const list = Array.isArray(messages) ? (messages as RawMessage[]) : []
  const steps: Step[] = []
  const delivered: DeliveredMessage[] = []
  let exit: ParsedTrajectory['exit'] = null
  let current: Step | null = null
  let previousTime: number | null = null
  for (const message of list) {
    const role = typeof message.role === 'string' ? message.role : ''
    const content = typeof message.content === 'string' ? message.content : message.content === undefined ? '' : JSON.stringify(message.content)
    const at = messageTime(message)
    if (role === 'assistant') {
      current = newStep(steps.length, previousTime ?? at, at)
      current.thought = content
      current.commands = commandsOf(message)
      current.tokens = usageOf(message.extra?.usage) ?? { ...ZERO_TOKENS }
      current.cost = Number.isFinite(message.extra?.cost) ? (message.extra?.cost as number) : 0
      current.costUnknown = message.extra?.cost_unknown === true
      current.sends = current.commands.flatMap(sendRecipients)
      current.git = [...new Set(current.commands.flatMap(gitOperations))]
      current.submitted = current.commands.some((c) => c.includes('COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT'))
      steps.push(current)
    } else if (role === 'tool') {
      if (!current) {
        // No model reply before it: an agent that only runs commands (the oracle).
        const step = newStep(steps.length, previousTime ?? at, at)
        step.commands = [content.split(' → ')[0] ?? content]
        step.git = gitOperations(step.commands[0]!)
        steps.push(step)
        appendObservation(step, content, message, at)
        // The oracle writes `git apply x.patch → exit 0`: the command's exit status, in words.
        const status = /^[^\n]* → exit (\d+)/.exec(content)
        if (step.returncode === null && status) step.returncode = Number(status[1])
      } else {
        appendObservation(current, content, message, at)
        // The bus counts a reply the wait took as read (DeliveryState): the asker read it in this observation.
        for (const [, from, text] of content.matchAll(REPLY)) delivered.push({ from: from!, text: text!, at, reply: true })
      }
    } else if (role === 'user') {
      const note = DELIVERED.exec(content)
      if (note) delivered.push({ from: note[1]!, text: note[2]!, at })
      else if (current && message.extra?.format_error) current.formatError = true
      current = null
    } else if (role === 'exit') {
      exit = { status: typeof message.extra?.exit_status === 'string' ? message.extra.exit_status : null, text: content }
      const last = steps.at(-1)
      if (last && exit.status === 'Submitted') last.submitted = true
    }
    if (at !== null) previousTime = at
  }
  return { steps, delivered, exit }
}

function newStep(index: number, start: number | null, end: number | null): Step {
  return {
    index,
    start: start ?? Number.NaN,
    end: end ?? start ?? Number.NaN,
    timed: start !== null && end !== null,
    commands: [],
    thought: '',
    output: '',
    returncode: null,
    tokens: { ...ZERO_TOKENS },
    cost: 0,
    costUnknown: false,
    sends: [],
    git: [],
    submitted: false,
    formatError: false,
  }
}

/** `<returncode>0</returncode><output>…</output>` → the output, the code kept apart; anything else as is. */
function appendObservation(step: Step, content: string, message: RawMessage, at: number | null) {
  const code = /<returncode>(-?\d+)<\/returncode>/.exec(content)
  const output = /<output>\n?([\s\S]*?)\n?<\/output>/.exec(content)
  step.output += (step.output ? '\n' : '') + (output ? output[1]! : content)
  const returncode = typeof message.extra?.returncode === 'number' ? message.extra.returncode : code ? Number(code[1]) : null
  if (returncode !== null) step.returncode = step.returncode === null || step.returncode === 0 ? returncode : step.returncode
  if (message.extra?.format_error) step.formatError = true
  if (at !== null) {
    step.end = at
    if (Number.isNaN(step.start)) step.start = at
  }
}

function commandsOf(message: RawMessage) {
  const actions = message.extra?.actions
  if (Array.isArray(actions)) return actions.map((a) => (typeof a.command === 'string' ? a.command : '')).filter(Boolean)
  return (message.tool_calls ?? []).flatMap((call) => {
    const args = call.function?.arguments
    if (typeof args !== 'string') return []
    try {
      const parsed = JSON.parse(args) as { command?: unknown }
      return typeof parsed.command === 'string' ? [parsed.command] : [args]
    } catch {
      return [args]
    }
  })
}

/** Recipients of `send_message` invocations at a command position. */
export function sendRecipients(command: string): string[] {
  const pattern = /(?:^|[\n;&|({])[ \t]*send_message[ \t]+(?:--wait[ \t]+)?([A-Za-z0-9_][\w.-]*)/g
  return [...command.matchAll(pattern)].map((match) => match[1]!)
}

/** git push / fetch / pull / merge invocations in a command (options such as `-c k=v` before the verb allowed). */
export function gitOperations(command: string): GitOperation[] {
  const pattern = /(?:^|[\n;&|({`]|\$\()[ \t]*git((?:[ \t]+-(?:c[ \t]+\S+|C[ \t]+\S+|-[\w-]+(?:=\S+)?|\w))*)[ \t]+(push|fetch|pull|merge)\b/g
  return [...command.matchAll(pattern)].map((match) => match[2] as GitOperation)
}

/** A message's time (see {@link timeOf}); a timestamp of zero or less is none. */
function messageTime(message: RawMessage) {
  const t = message.extra?.timestamp
  return typeof t === 'number' && t <= 0 ? null : timeOf(t)
}
