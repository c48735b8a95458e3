import type { SharedDir } from './backend.js'
import type { Sandbox } from './sandbox.js'

/**
 * The coordination surface: what a seat hands its agent beyond the task, as Inspect AI hands an agent
 * tools (`handoff()`, `as_tool()`) without telling it the protocol. A setting fills it; every agent
 * maps it to its own mechanism once (commands on PATH, function tools, an MCP server, the prompt)
 * and never learns which setting it is in.
 */

/** A part of a seat's briefing: its profile sets it as a heading and its text (`## Task list`). */
export interface BriefingSection {
  title: string
  body: string
}

/** What a seat's agent is told of its part, beside its task. */
export interface Briefing {
  /** For an agent's own prompts, in order: it places them where its profile says (after the task, before its workflow). */
  sections: BriefingSection[]
  /**
   * The same in upstream CooperBench's own words, for agents that follow upstream's prompts (a `reference-` prompt source): the block
   * upstream's adapters append to the task after `\n\n---\n\n`. Null: the setting has none, and such an agent appends the sections.
   */
  upstream: string | null
}

/** What a command tool prints and returns: the output goes to stdout when `exitCode` is 0, else to stderr (argparse's split). */
export interface ToolAnswer {
  exitCode: number
  output: string
}

/** The sandbox the call came from and the signal that ends it (the agent's run ended, or the pair was interrupted). */
export interface ToolCallContext {
  sandbox: Sandbox
  signal: AbortSignal
}

/**
 * A command in the seat's sandbox, answered on the host as the seat's agent (never another): the harness installs it in
 * {@link Coordination.commandDir} before the agent starts, so every agent that runs commands has it; the briefing says how to use it.
 */
export interface CommandTool {
  kind: 'command'
  /** Its name in the sandbox (`coop-task-claim`). */
  name: string
  description: string
  /** Its last argument comes from stdin when it is given this many positional arguments (upstream's `coop-request <to> <kind>`). */
  stdinAfter?: number
  /** An option whose value, in seconds, lengthens how long the command waits for its answer (`--wait`). */
  waitOption?: string
  run(argv: readonly string[], context: ToolCallContext & { stdin?: string }): Promise<ToolAnswer>
}

/** A tool only an agent that calls functions offers (upstream OpenHands' `task_tracker`): no command in the sandbox. */
export interface FunctionTool {
  kind: 'function'
  name: string
  description: string
  /** JSON schema (an object) of its arguments. Avoid a property named `kind`: OpenHands keeps that key for itself. */
  parameters: Record<string, unknown>
  /** What the model is told back. */
  call(args: Record<string, unknown>, context: ToolCallContext): Promise<string>
}

export type SeatTool = CommandTool | FunctionTool

/** Where the harness installs a seat's command tools in its sandbox. */
export const SEAT_COMMAND_DIR = '/tmp/.cooperbench-tools/bin'

/** What a setting gives one seat to coordinate with, beside messaging (`Seat.channel`) and a shared git remote (`Seat.git`). */
export interface SeatCoordination {
  briefing?: Briefing
  tools?: SeatTool[]
  /** Read before each model call by agents that loop, and shown to the model when not null (the team's `[Team task list]`). */
  status?(): Promise<string | null>
  /** Variables of every command the agent runs (upstream's `CB_TEAM_*`). */
  env?: Record<string, string>
  /** Host folders its sandbox mounts (a scratchpad). */
  mounts?: SharedDir[]
  /**
   * Agents that can block on messages offer their model a tool for it (upstream's MCP `wait_for_message`, PR #53); `declaration`:
   * upstream's own tool declaration, served as it is by agents following upstream's prompts.
   */
  waitForMessages?: { declaration: Record<string, unknown> | null }
}

/** The coordination surface as the agent gets it (`AgentRunContext.coordination`). */
export interface Coordination {
  briefing: Briefing
  tools: SeatTool[]
  /** The folder of the command tools inside the sandbox (null: none); on PATH of whatever the agent runs, to add again where a login shell resets PATH. */
  commandDir: string | null
  status: (() => Promise<string | null>) | null
  waitForMessages: { declaration: Record<string, unknown> | null } | null
}

/** A seat with nothing to coordinate with beside its messages. */
export const NO_COORDINATION: Coordination = Object.freeze({
  briefing: Object.freeze({ sections: [], upstream: null }),
  tools: [],
  commandDir: null,
  status: null,
  waitForMessages: null,
}) as Coordination
