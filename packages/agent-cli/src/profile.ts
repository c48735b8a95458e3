import type { AgentResult } from '@cooperbench/spec'

/** A CLI profile: what differs between terminal coding agents (`CliAgent` does the rest); a plugin adds one with `cliAgentRegistration(profile)`. */
export interface CliProfile {
  readonly specificationVersion: 'cli-profile-v1'
  /** The agent's name (`-a NAME`), e.g. `claude_code`. */
  readonly name: string
  readonly aliases?: readonly string[]
  readonly description: string
  /** Where the CLI comes from: one npm package and its pinned version. */
  readonly npm: CliNpmSource
  /** The model id the CLI is given from the harness's `-m` (e.g. without a `provider/` prefix). */
  modelId(model: string): string
  /** The variables carrying the CLI's key or token into the sandbox, from this machine's; a CooperbenchError naming the variable when none is set. */
  credentials(env: Readonly<Record<string, string | undefined>>): Record<string, string>
  /** The headless command line and environment of one run. */
  invocation(input: CliInvocationInput): CliInvocation
  /** Whether the CLI reports what its run cost; without it the cost of a run with model turns is unknown and a cost limit cannot hold. */
  readonly reportsCost: boolean
  /** Shell globs, relative to the CLI's home, of the session logs it writes; kept in the trajectory. */
  readonly sessionLogs?: readonly string[]
  /** Reads the CLI's machine-readable output (one JSON event a line) into what the harness records. */
  parseStream(lines: readonly string[]): CliStreamSummary
  /** Lines the CLI writes to stderr on every run (a warning about its environment): left out of a failed run's error. */
  readonly stderrNoise?: readonly RegExp[]
  /**
   * The files (sandbox path → text) that register stdio MCP `servers` with the CLI of this run, written before it starts;
   * the tools must run unasked. Without it the CLI gets no MCP server, so no `wait_for_message` tool, and its prompt never names it.
   */
  mcpConfig?(servers: readonly CliMcpServer[], run: { home: string; invocation: CliInvocation }): Record<string, string>
  /** How the reference harness runs this CLI, if it has an adapter: under `protocol: reference` the user's template is the prompt, `patch.txt` the patch. */
  readonly reference?: CliReferenceProtocol
}

/** The reference harness's way of running a CLI: its command line, environment and wall clock. */
export interface CliReferenceProtocol {
  /** The model id as the reference derives it from `-m`. */
  modelId(model: string): string
  /** The reference's command line and environment; limits only where the user set them. */
  invocation(input: CliInvocationInput): CliInvocation
  /** The reference's wall clock for the CLI, the default of `wall_time_limit_seconds` under this protocol. */
  readonly wallClockSeconds: number
}

export interface CliNpmSource {
  /** The package users install, e.g. `@anthropic-ai/claude-code`. */
  package: string
  /** The pinned version; recorded in the run's fingerprint through the agent's version. */
  version: string
  /** Per platform key (`linux-x64`, `linux-arm64-musl`, …): the package holding the native binary, and the binary's path inside it. */
  platforms: Readonly<Record<string, { package: string; binary: string }>>
  /** The binary's name on PATH in an image layer, e.g. `claude`. */
  command: string
  /** `native` (default): a binary; `node`: a JavaScript entry point run by the Node.js running cooperbench (local sandboxes see it; no image layer). */
  runtime?: 'native' | 'node'
}

export interface CliInvocationInput {
  /** The binary's path inside the sandbox. */
  binary: string
  /** A file in the sandbox holding the task prompt. */
  promptFile: string
  model: string
  /** The model endpoint (`--model-base-url`), or null for the provider's own. */
  baseUrl: string | null
  /** Variables from {@link CliProfile.credentials}. */
  credentials: Record<string, string>
  /** A private, writable home directory for the CLI's state and session logs. */
  home: string
  /** Model turns before the CLI must stop (0: none); profiles pass it where the CLI has a flag. */
  stepLimit: number
  /** USD before the CLI must stop (0: none); profiles pass it where the CLI has a flag. */
  costLimit: number
}

export interface CliInvocation {
  /** Arguments after the binary; `{prompt}` is replaced by the prompt text (one argument). */
  args: string[]
  env: Record<string, string>
  /** Whether the CLI stops itself at `stepLimit` / `costLimit` (otherwise the harness kills it). */
  enforces: { steps: boolean; cost: boolean }
}

/** An MCP server a CLI starts on stdio (the `wait_for_message` server: mcp-wait-server.ts). */
export interface CliMcpServer {
  /** Its name in the CLI's configuration; CLIs show its tools under it (Claude Code: `mcp__<name>__<tool>`). */
  name: string
  /** The program, by its path in the sandbox, and its arguments. */
  command: string
  args: string[]
  /** The longest one tool call may take, in seconds: a CLI that times calls out must allow at least this. */
  callSeconds: number
}

/** One entry of the trajectory, in the reference's chat-message shape. */
export interface CliTrajectoryMessage {
  role: 'system' | 'user' | 'assistant' | 'tool'
  content: string
  tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }>
  tool_call_id?: string
}

/** What the stream says so far: model turns (`steps`), cost and tokens as an agent's result counts them, and how it ended. */
export interface CliStreamSummary
  extends Pick<AgentResult, 'steps' | 'cost' | 'input_tokens' | 'output_tokens' | 'cache_read_tokens' | 'cache_write_tokens' | 'error'> {
  messages: CliTrajectoryMessage[]
  /**
   * The CLI priced some of its calls by a guess or not at all: `cost` counts only the priced ones. A profile that does not report
   * cost (`reportsCost: false`) need not set it: its runs with model turns are unknown anyway.
   */
  costUnknown?: boolean
  /** How the CLI said it ended (`limit`: its own turn or budget limit); null when it said nothing (still running, or died silent). */
  outcome: 'success' | 'limit' | 'error' | null
  /**
   * Failed model connections in a row (`error`: the last one's), for a CLI that retries them without end; any other event
   * resets it. Past the agent's bound the CLI is stopped as `infra`. Absent: the CLI gives up by itself.
   */
  connectionFailures?: number
}

/** Parses the JSON lines it can; a line that is not JSON is kept as text for the error tail. */
export function jsonLines(lines: readonly string[]): Array<Record<string, unknown>> {
  const events: Array<Record<string, unknown>> = []
  for (const line of lines) {
    const trimmed = line.trim()
    if (!trimmed.startsWith('{')) continue
    try {
      const value = JSON.parse(trimmed) as unknown
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) events.push(value as Record<string, unknown>)
    } catch {
      // a line cut by a kill; the rest of the stream still counts
    }
  }
  return events
}

export function emptySummary(): CliStreamSummary {
  return {
    messages: [],
    steps: 0,
    cost: 0,
    input_tokens: 0,
    output_tokens: 0,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    outcome: null,
    error: null,
  }
}

/** The model id without a LiteLLM-style `provider/` prefix. */
export function withoutProvider(model: string, providers: readonly string[]): string {
  const slash = model.indexOf('/')
  return slash > 0 && providers.includes(model.slice(0, slash)) ? model.slice(slash + 1) : model
}

export function numberOr(value: unknown, fallback = 0): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback
}
