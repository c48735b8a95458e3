import type { Mailbox, SubmittedPatchSource } from '@cooperbench/spec'
import type { CompleteRequest, ToolCall, ToolSpec } from '../llm/index.js'
import type { JinjaTemplate } from '../reference/jinja.js'
import type { CompactionRequest } from './compaction.js'
import type { CommandOutcome } from './observation.js'
import type { SendMessageCall } from './send-message.js'

/** What one mode of `mini_swe_agent` does its own way in the one loop (mini-swe-loop.ts): profile `cooperbench-v1` or a reference configuration. */
export interface MiniSweProtocol {
  /** The system and task messages, and the answer to an unusable reply or tool call (`error`). */
  templates: { system: JinjaTemplate; instance: JinjaTemplate; formatError: JinjaTemplate }
  /** Why the rendered first messages cannot start the run (no task shown: a configuration error, not the agent's), or null. */
  openingProblem?(system: string, instance: string): string | null
  /** The templates' variables, given the model calls so far and their cost (as the cost limit counts it). */
  vars(spent: { calls: number; cost: number }): Record<string, unknown>
  /** The tool message answering one command, and its `extra`. */
  observation(output: CommandOutcome, vars: Record<string, unknown>): { content: string; extra: Record<string, unknown> }
  /** `each`: a command is answered as it ends, one that submits too; `per-reply`: once the reply's commands ran, a submission ending the run before. */
  observations: 'each' | 'per-reply'
  /** The work before each model call, in order. */
  beforeCall: readonly Phase[]
  /** Consecutive replies with an unusable tool call that end the run; 0 = no limit. */
  formatErrorLimit: number
  /** The run's own wall clock in seconds; null = none (the harness's still applies). */
  wallSeconds: number | null
  /** The `exit` message of a limit reached. */
  exceeded(limit: { steps: number } | { costUsd: number; spent: number } | { formatErrors: number }): string
  /** The one tool of every call, and the call's settings (temperature, output cap, …). */
  tool: ToolSpec
  request: Partial<CompleteRequest>
  /** Told of a call without a known price: warns, or throws to end the run. */
  unknownPrice(model: string): void
  /** A call counts as a step when made (a failed one too), else once answered. */
  countsCallsMade: boolean
  /** The reply's tool calls as actions, or why the reply as a whole is unusable. */
  parseReply(calls: ToolCall[]): Action[] | { error: string }
  /** An unusable reply leaves the context (the reference's), or stays in it. */
  dropsUnusableReplies: boolean
  /** What the cost limit counts: every call and summary, or accepted replies only (the reference's). */
  costCounts: 'every-call' | 'accepted-replies'
  compaction: Compaction | null
  /** A command as the sandbox runs it (the command tools' PATH line included), its environment, and its output as the model sees it. */
  runner: {
    argv(command: string): string | string[]
    env: Record<string, string> | null
    output(stdout: string, stderr: string): string
    timeoutSeconds: number
  }
  messaging: Messaging
  /** The submission when a command's output submits, else null. */
  submission(output: CommandOutcome): string | null
  /**
   * Optional: sets the sandbox up before the first step (the reference's pull-request remote and `gh` shim, 0.0.23 on);
   * returns a directory to put first on PATH for every command ('' for none). A failure is the harness's (`infra`).
   */
  prepare?(exec: (command: string) => Promise<CommandOutcome>, write: (path: string, text: string) => Promise<void>): Promise<string>
  /**
   * Optional: asked when a step ends the run (a submission or a limit): a user message that turns the ending down and
   * the steps go on (the reference's nudge to share unsubmitted work, 0.0.24 on), or null.
   */
  beforeExit?(exec: (command: string) => Promise<CommandOutcome>): Promise<string | null>
  /** What is submitted in place of the working tree's patch, read after any ending, and where it comes from; absent: nothing. */
  submittedPatch?: {
    source: SubmittedPatchSource
    read(ended: { status: string; content: string }, exec: (command: string) => Promise<CommandOutcome>): Promise<string>
  }
  /** An error of neither the model nor the clocks (the sandbox, the harness's files): recorded and rethrown, or the agent's `Error`. */
  otherErrors: 'rethrow' | 'agent'
}

/** An abort check, the limits, the inbox, a compaction (which may end the step), the seat's status (`ctx.coordination.status`). */
type Phase = 'interruption' | 'limits' | 'inbox' | 'compaction' | 'status'

/** A tool call to answer: a command, messages (the reference's `send_message` tool), or why it cannot run. */
export type Action = { id: string; command: string } | { id: string; sends: SendMessageCall[] } | { id: string; error: string }

/** `send_message` in commands, intercepted when the run has a mailbox. */
export interface Messaging {
  /** The inbox is emptied when the agent starts (the reference's), or delivered at its first step. */
  clearsInbox: boolean
  /** A command's messages and what is left to run; null: none; an outcome: refused, nothing runs. */
  parse(command: string): { sends: SendMessageCall[]; remaining: string } | CommandOutcome | null
  /** Sends the messages; the output tells the model what became of them. */
  deliver(mailbox: Mailbox, sends: SendMessageCall[], signal: AbortSignal): Promise<CommandOutcome>
  /** Between that output and the rest's. */
  separator: string
  /** Optional: how a received message reads (default `[Message from <sender>]: <content>`). */
  render?(mailbox: Mailbox, message: { from: string; content: string }): Promise<string>
  /** Optional: notices the inbox's step adds after the messages (the reference's peer departures, 0.0.22 on), one user message each. */
  notices?(mailbox: Mailbox): Promise<string[]>
}

/** When and how the context is compacted (`compactContext`, which takes the rest). */
interface Compaction extends Pick<CompactionRequest, 'keepLast' | 'summaryPrompt' | 'summary'> {
  /** The input tokens of the last accepted reply's call that make the next step compact. */
  triggerTokens: number
  /** A compaction ends the step and waits for the next call's count (cooperbench-v1), or the step goes on and compacts again while the count holds. */
  endsStep: boolean
}
