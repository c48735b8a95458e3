import type { AgentResult } from '@cooperbench/spec'

/**
 * A CLI profile: everything that differs between terminal coding agents, declared once. The
 * agent (`CliAgent`) does the rest the same way for every CLI: install check, prompt, teammate
 * commands, limits, the harness's patch, trajectory and cost. A third-party plugin adds a CLI by
 * registering `cliAgentRegistration(profile)`.
 */
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
  /**
   * What the CLI needs from this machine's environment (keys, tokens) to call its model, and the
   * variables that carry them into the sandbox. Throws a CooperbenchError naming the variable
   * when nothing usable is set.
   */
  credentials(env: Readonly<Record<string, string | undefined>>): Record<string, string>
  /** The headless command line and environment of one run. */
  invocation(input: CliInvocationInput): CliInvocation
  /** Whether the CLI reports what its run cost; without it cost is recorded as 0 and a cost limit cannot hold. */
  readonly reportsCost: boolean
  /** Shell globs, relative to the CLI's home, of the session logs it writes; kept in the trajectory. */
  readonly sessionLogs?: readonly string[]
  /** Reads the CLI's machine-readable output (one JSON event a line) into what the harness records. */
  parseStream(lines: readonly string[]): CliStreamSummary
  /**
   * Lines the CLI writes to stderr on every run, whatever happens (a warning about its
   * environment): left out of the error of a failed run, so that the real error shows.
   */
  readonly stderrNoise?: readonly RegExp[]
  /**
   * How the CLI is given MCP servers on stdio, when it can be: the files (absolute sandbox path →
   * text) that register `servers` with the CLI of a run whose home is `home` and whose command
   * line and environment are `invocation`; the agent writes them before the CLI starts, and the
   * tools must run without asking anyone. Without it the CLI gets no MCP server, so not the team's
   * `wait_for_message` tool either, and its prompt never names it.
   */
  mcpConfig?(servers: readonly CliMcpServer[], run: { home: string; invocation: CliInvocation }): Record<string, string>
  /**
   * How the reference harness runs this CLI (`protocol: reference`), when it has an adapter for
   * it: the agent then gives the CLI the user's prompt template and takes `patch.txt` as its patch.
   */
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
  /**
   * The package holding the native binary for a platform (`linux-x64`, `linux-arm64`,
   * `linux-x64-musl`, `linux-arm64-musl`), and the binary's path inside it.
   */
  platforms: Readonly<Record<string, { package: string; binary: string }>>
  /** The binary's name on PATH in an image layer, e.g. `claude`. */
  command: string
  /**
   * `native` (default): the binary runs by itself. `node`: it is a JavaScript entry point run by
   * Node.js (the one running cooperbench, which local sandboxes see; such CLIs get no image layer).
   */
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

/** An MCP server a CLI starts on stdio (the team's `wait_for_message` server: mcp-wait-server.ts). */
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
   * How the CLI said it ended: `success`, `limit` (its own turn or budget limit), `error` (with
   * `error`), or null when it said nothing (still running, or died without a final event).
   */
  outcome: 'success' | 'limit' | 'error' | null
  /**
   * Connections to the model that failed in a row, for a CLI that retries them itself without
   * end (with `error`, the last one's message); any other event resets it. Past the agent's bound
   * the harness stops the CLI as an `infra` error. Absent: the CLI gives up by itself.
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
