import type { ConversationEntry } from '@cooperbench/spec'
import { patchPaths } from '@cooperbench/spec-utils/patch'
import { unansweredQuestions } from './question-replies.js'

/** What the signals read of a trajectory message: mini-SWE's and the OpenHands bridge's shape (`extra.actions`, or tool calls by name). */
export interface TrajectoryStep {
  role: string
  content?: unknown
  tool_calls?: Array<{ function?: { name?: string; arguments?: string } }>
  extra?: {
    actions?: Array<{ command?: string }>
    usage?: { input_tokens?: number; output_tokens?: number }
  }
}

/** One agent of a coop pair, as its run folder holds it. */
export interface AgentRecords {
  agentId: string
  featureId: number
  trajectory: TrajectoryStep[]
  patch: string
}

/** What an agent said it would do to a file it then never changed. */
export interface BrokenPromise {
  agent: string
  file: string
  quote: string
}

/** A coop pair's model-free coordination signals: how much the agents talked, what it cost, and text-visible traces of the paper's three gaps. */
export interface PairSignals {
  messages: number
  /** Share of all agents' model steps that sent or read messages; null when there were no model steps (the oracle). */
  messaging_step_share: number | null
  /** Share of all agents' tokens (input + output) spent on those steps; null when no tokens were recorded. */
  messaging_token_share: number | null
  /** Messages with a question that no later message of the addressee answers (see `answers` in question-replies.ts). */
  unanswered_questions: Array<{ from: string; to: string; quote: string }>
  /** Files both agents' patches change. */
  files_both_edited: string[]
  broken_promises: BrokenPromise[]
}

/** A messaging command, or the `wait_for_message` tool named in a call's arguments (Codex records MCP calls so). */
const MESSAGING_COMMAND = /\b(send_message|check_messages|broadcast|wait_for_message)\b/
const MESSAGING_TOOLS = new Set(['send_message', 'check_messages', 'broadcast'])
/** The `wait_for_message` tool by its name alone, or as a CLI names an MCP tool of any server (`mcp__<server>__…`, `…/wait_for_message`). */
const WAIT_TOOL = /(^|__|[/.])wait_for_message$/
/** "I will …", "I'll …", "I'm going to …" up to the end of the sentence (a `.` inside `slug.py` does not end it). */
const PROMISE = /\bI(?:'ll| will| am going to|'m going to)\b(?:[^.!?\n]|[.!?](?=\S))*/gi
/** A path-like token with a source file extension: `slug.py`, `src/app/router.ts`. */
const FILE_MENTION = /[\w./-]*[\w-]\.(?:py|pyi|ts|tsx|js|jsx|mjs|go|rs|java|kt|rb|c|h|cc|cpp|hpp|cs|php|swift|scala|toml|ya?ml|json|md|cfg|ini)\b/g

export function pairSignals(agents: AgentRecords[], conversation: ConversationEntry[]): PairSignals {
  let steps = 0
  let messagingSteps = 0
  let tokens = 0
  let messagingTokens = 0
  for (const agent of agents) {
    for (const step of agent.trajectory) {
      if (step.role !== 'assistant') continue
      const used = (step.extra?.usage?.input_tokens ?? 0) + (step.extra?.usage?.output_tokens ?? 0)
      steps += 1
      tokens += used
      if (isMessagingStep(step)) {
        messagingSteps += 1
        messagingTokens += used
      }
    }
  }
  return {
    messages: conversation.length,
    messaging_step_share: steps === 0 ? null : messagingSteps / steps,
    messaging_token_share: tokens === 0 ? null : messagingTokens / tokens,
    unanswered_questions: unansweredQuestions(conversation),
    files_both_edited: filesBothEdited(agents),
    broken_promises: brokenPromises(agents, conversation),
  }
}

function isMessagingStep(step: TrajectoryStep) {
  if (step.extra?.actions?.some((action) => MESSAGING_COMMAND.test(action.command ?? ''))) return true
  return (step.tool_calls ?? []).some((call) => {
    const name = call.function?.name ?? ''
    return MESSAGING_TOOLS.has(name) || WAIT_TOOL.test(name) || MESSAGING_COMMAND.test(call.function?.arguments ?? '')
  })
}

function filesBothEdited(agents: AgentRecords[]) {
  if (agents.length < 2) return []
  const [first, ...others] = agents.map((agent) => new Set(patchPaths(agent.patch)))
  return [...first!].filter((path) => others.every((paths) => paths.has(path))).sort()
}

/** Promises naming a file the promiser's own patch never touched. */
function brokenPromises(agents: AgentRecords[], conversation: ConversationEntry[]): BrokenPromise[] {
  const broken: BrokenPromise[] = []
  for (const agent of agents) {
    const touched = patchPaths(agent.patch)
    const touches = (file: string) => touched.some((path) => path === file || path.endsWith(`/${file.replace(/^\.?\//, '')}`))
    for (const entry of conversation) {
      if (entry.from !== agent.agentId) continue
      for (const promise of entry.message.matchAll(PROMISE)) {
        for (const file of new Set(promise[0].match(FILE_MENTION) ?? [])) {
          if (!touches(file)) broken.push({ agent: agent.agentId, file, quote: promise[0].trim().slice(0, 300) })
        }
      }
    }
  }
  return broken
}
