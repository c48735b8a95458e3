import { CooperbenchError } from '@cooperbench/spec'
import {
  type CliInvocation,
  type CliInvocationInput,
  type CliMcpServer,
  type CliProfile,
  type CliStreamSummary,
  type CliTrajectoryMessage,
  emptySummary,
  jsonLines,
  numberOr,
  withoutProvider,
} from '../profile.js'

const VERSION = '2.1.330'
const platform = (suffix: string) => ({ package: `@anthropic-ai/claude-code-${suffix}`, binary: 'claude' })

/**
 * Claude Code (a native binary per platform package) in print mode, every permission bypassed (the sandbox is the boundary; `IS_SANDBOX=1`
 * allows that as root). Tokens and cost from its final `result` event; turns and budget are its `--max-turns`, `--max-budget-usd`.
 */
export const claudeCodeProfile: CliProfile = {
  specificationVersion: 'cli-profile-v1',
  name: 'claude_code',
  description: `Claude Code ${VERSION} headless (claude -p, stream-json) in the sandbox; teammates through send_message/check_messages`,
  npm: {
    package: '@anthropic-ai/claude-code',
    version: VERSION,
    command: 'claude',
    platforms: Object.fromEntries(['linux-x64', 'linux-arm64', 'linux-x64-musl', 'linux-arm64-musl'].map((key) => [key, platform(key)])),
  },
  modelId: (model) => withoutProvider(model, ['anthropic']),
  credentials(env) {
    for (const name of ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN']) {
      const value = env[name]
      if (value !== undefined && value !== '') return { [name]: value }
    }
    throw new CooperbenchError('CONFIG_INVALID', 'claude_code needs a key: none of ANTHROPIC_API_KEY, ANTHROPIC_AUTH_TOKEN, CLAUDE_CODE_OAUTH_TOKEN is set', {
      hint: 'export ANTHROPIC_API_KEY=… (or CLAUDE_CODE_OAUTH_TOKEN from `claude setup-token`) before the run',
    })
  },
  invocation(input) {
    const args = [
      '-p',
      '{prompt}',
      '--output-format',
      'stream-json',
      '--verbose',
      '--dangerously-skip-permissions',
      '--model',
      input.model,
      ...limitArgs(input),
    ]
    return {
      args,
      env: {
        ...baseEnv(input),
        IS_SANDBOX: '1',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        DISABLE_AUTOUPDATER: '1',
      },
      enforces: { steps: true, cost: true },
    }
  },
  reportsCost: true,
  sessionLogs: ['.claude/projects/*/*.jsonl'],
  parseStream: (lines) => parseClaudeStream(lines, 'claude_code'),
  mcpConfig: (servers, { home, invocation }) => claudeMcpConfig(servers, invocation.env['CLAUDE_CONFIG_DIR'] ?? home),
  reference: {
    // The reference drops whatever comes before the first `/`, whichever the provider.
    modelId: (model) => (model.includes('/') ? model.slice(model.indexOf('/') + 1) : model),
    invocation: referenceInvocation,
    // Its adapter gives the `claude` command two hours.
    wallClockSeconds: 7200,
  },
}

/**
 * Claude Code's user-scope MCP servers: `mcpServers` of `.claude.json` in its config folder (`CLAUDE_CONFIG_DIR`, else its
 * home), which need no approval, so the tools run in print mode; `timeout` (ms) is the server's tool-call limit.
 */
function claudeMcpConfig(servers: readonly CliMcpServer[], configDir: string): Record<string, string> {
  const mcpServers = Object.fromEntries(
    servers.map((s) => [s.name, { type: 'stdio', command: s.command, args: s.args, env: {}, timeout: s.callSeconds * 1000, alwaysLoad: true }]),
  )
  return { [`${configDir}/.claude.json`]: `${JSON.stringify({ mcpServers }, null, 2)}\n` }
}

/** `--max-turns` and `--max-budget-usd` for the limits the run sets (0: none). */
function limitArgs(input: CliInvocationInput): string[] {
  return [
    ...(input.stepLimit > 0 ? ['--max-turns', String(input.stepLimit)] : []),
    ...(input.costLimit > 0 ? ['--max-budget-usd', String(input.costLimit)] : []),
  ]
}

/** What every Claude Code process gets: its key, the base URL when there is one, its home. */
function baseEnv(input: CliInvocationInput): Record<string, string> {
  return { ...input.credentials, ...(input.baseUrl === null ? {} : { ANTHROPIC_BASE_URL: input.baseUrl }), HOME: input.home }
}

/**
 * Claude Code as the reference's adapter runs it (cooperbench/CooperBench v0.0.14, `agents/claude_code/adapter.py`): its
 * flags in its order, the model in `ANTHROPIC_MODEL`, its variables, `--max-turns` only for a step limit (and here
 * `--max-budget-usd` for a user's cost limit, which it lacks); the config folder in our home, where session logs are collected.
 */
function referenceInvocation(input: CliInvocationInput): CliInvocation {
  const args = ['--verbose', '--output-format=stream-json', '--permission-mode=bypassPermissions', ...limitArgs(input), '--print', '--', '{prompt}']
  return {
    args,
    env: {
      ...baseEnv(input),
      ANTHROPIC_MODEL: input.model,
      CLAUDE_CONFIG_DIR: `${input.home}/.claude`,
      IS_SANDBOX: '1',
      FORCE_AUTO_BACKGROUND_TASKS: '1',
      ENABLE_BACKGROUND_TASKS: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    },
    enforces: { steps: true, cost: true },
  }
}

type Block = { type?: string; text?: string; id?: string; name?: string; input?: unknown; tool_use_id?: string; content?: unknown }

function textOf(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  return (content as Block[]).map((block) => (typeof block.text === 'string' ? block.text : '')).join('')
}

/** Claude Code's stream-json events: `system`, `assistant`, `user` (tool results), a final `result` (as Qwen Code's); `label` names the CLI. */
export function parseClaudeStream(lines: readonly string[], label = 'claude_code'): CliStreamSummary {
  // Unknown until a result event prices the turns (a CLI killed before one reported no cost).
  const summary: CliStreamSummary = { ...emptySummary(), costUnknown: true }
  const turns = new Set<string>()
  for (const event of jsonLines(lines)) {
    const message = event['message'] as { id?: string; content?: unknown; usage?: Record<string, unknown> } | undefined
    if (event['type'] === 'system' && event['subtype'] === 'init') {
      summary.messages.push({
        role: 'system',
        content: `${label} session ${String(event['session_id'])} (model ${String(event['model'])})`,
      })
    } else if (event['type'] === 'assistant' && message) {
      const blocks = Array.isArray(message.content) ? (message.content as Block[]) : []
      // One API response arrives as several events (one per content block) sharing the message id.
      // A request that failed (Qwen Code's `[API Error: …]` in place of an answer) is no model turn.
      if (message.id !== undefined && !isFailedRequest(blocks)) turns.add(message.id)
      const entry: CliTrajectoryMessage = { role: 'assistant', content: textOf(blocks) }
      const calls = blocks.filter((b) => b.type === 'tool_use')
      if (calls.length > 0) {
        entry.tool_calls = calls.map((b) => ({
          id: String(b.id),
          type: 'function',
          function: { name: String(b.name), arguments: JSON.stringify(b.input ?? {}) },
        }))
      }
      summary.messages.push(entry)
    } else if (event['type'] === 'user' && message && Array.isArray(message.content)) {
      for (const block of message.content as Block[]) {
        if (block.type === 'tool_result') summary.messages.push({ role: 'tool', tool_call_id: String(block.tool_use_id), content: textOf(block.content) })
      }
    } else if (event['type'] === 'result') {
      const usage = (event['usage'] ?? {}) as Record<string, unknown>
      Object.assign(summary, pricedCost(event))
      summary.input_tokens = numberOr(usage['input_tokens'])
      summary.output_tokens = numberOr(usage['output_tokens'])
      summary.cache_read_tokens = numberOr(usage['cache_read_input_tokens'])
      summary.cache_write_tokens = numberOr(usage['cache_creation_input_tokens'])
      const subtype = String(event['subtype'])
      if (subtype === 'success' && event['is_error'] !== true) summary.outcome = 'success'
      else if (subtype === 'error_max_turns' || subtype === 'error_max_budget_usd') summary.outcome = 'limit'
      else summary.outcome = 'error'
      const errors = Array.isArray(event['errors']) ? (event['errors'] as unknown[]).map(String) : []
      // Qwen Code names the cause as `error: { message }` (the provider's failure), not in `errors`.
      const cause = (event['error'] as { message?: unknown } | undefined)?.message
      if (typeof cause === 'string' && cause !== '') errors.push(cause)
      if (summary.outcome !== 'success') summary.error = errors.join('; ') || (typeof event['result'] === 'string' ? event['result'] : subtype)
    }
  }
  summary.steps = turns.size
  return summary
}

/**
 * The cost a `result` event knows: `total_cost_usd` less what Claude Code priced at `costBasis: "unknown"` (no price row for the
 * model: a guess at its default model's rate, left in the stream and not counted); unknown too without `total_cost_usd` (Qwen
 * Code's result has none).
 */
function pricedCost(event: Record<string, unknown>): Pick<CliStreamSummary, 'cost' | 'costUnknown'> {
  const total = event['total_cost_usd']
  if (typeof total !== 'number' || !Number.isFinite(total)) return { cost: 0, costUnknown: true }
  const models = Object.values((event['modelUsage'] ?? {}) as Record<string, { costUSD?: unknown; costBasis?: unknown }>)
  const guessed = models.filter((m) => m.costBasis === 'unknown')
  const cost = Math.max(0, total - guessed.reduce((sum, m) => sum + numberOr(m.costUSD), 0))
  return { cost, costUnknown: guessed.length > 0 }
}

/** An assistant message that is only the CLI's report of a failed model request. */
function isFailedRequest(blocks: readonly Block[]): boolean {
  return blocks.length > 0 && blocks.every((b) => b.type === 'text' && typeof b.text === 'string' && /^\[API Error: /.test(b.text))
}
