import { CooperbenchError } from '@cooperbench/spec'
import { type CliMcpServer, type CliProfile, type CliStreamSummary, emptySummary, jsonLines, numberOr, withoutProvider } from '../profile.js'

const VERSION = '0.169.0'
/** The platform packages are npm aliases of `@openai/codex@<version>-<platform>`, each holding a static musl binary. */
const platform = (suffix: string, triple: string) => ({ package: `@openai/codex-${suffix}`, binary: `vendor/${triple}/bin/codex` })
const x64 = platform('linux-x64', 'x86_64-unknown-linux-musl')
const arm64 = platform('linux-arm64', 'aarch64-unknown-linux-musl')

function tomlString(value: string): string {
  return JSON.stringify(value)
}

/**
 * Codex CLI headless (`codex exec --json`), approvals and its own sandbox bypassed (ours is the boundary), the model behind
 * a custom provider on the Responses API. Tokens come from `turn.completed`; it reports no cost (a run's cost is unknown) and has
 * no turn limit, so the harness stops it at the step limit.
 */
export const codexProfile: CliProfile = {
  specificationVersion: 'cli-profile-v1',
  name: 'codex',
  description: `Codex CLI ${VERSION} headless (codex exec --json, Responses API) in the sandbox; teammates through send_message/check_messages`,
  npm: {
    package: '@openai/codex',
    version: VERSION,
    command: 'codex',
    // One static musl binary serves glibc and musl systems alike.
    platforms: { 'linux-x64': x64, 'linux-x64-musl': x64, 'linux-arm64': arm64, 'linux-arm64-musl': arm64 },
  },
  modelId: (model) => withoutProvider(model, ['openai']),
  credentials(env) {
    for (const name of ['OPENAI_API_KEY', 'CODEX_API_KEY']) {
      const value = env[name]
      if (value !== undefined && value !== '') return { COOPERBENCH_MODEL_KEY: value }
    }
    throw new CooperbenchError('CONFIG_INVALID', 'codex needs a key: neither OPENAI_API_KEY nor CODEX_API_KEY is set', {
      hint: 'export OPENAI_API_KEY=… (the key of the --model-base-url server when you use one) before the run',
    })
  },
  invocation(input) {
    const provider = `{ name = "cooperbench", base_url = ${tomlString(input.baseUrl ?? 'https://api.openai.com/v1')}, env_key = "COOPERBENCH_MODEL_KEY", wire_api = "responses" }`
    return {
      args: [
        'exec',
        '--json',
        '--skip-git-repo-check',
        '--dangerously-bypass-approvals-and-sandbox',
        '-m',
        input.model,
        '-c',
        'model_provider="cooperbench"',
        '-c',
        `model_providers.cooperbench=${provider}`,
        '{prompt}',
      ],
      env: { ...input.credentials, HOME: input.home, CODEX_HOME: input.home },
      enforces: { steps: false, cost: false },
    }
  },
  reportsCost: false,
  sessionLogs: ['sessions/*/*/*/*.jsonl'],
  parseStream: parseCodexStream,
  // The run's home is under /tmp, where Codex makes no PATH aliases and warns so on every run; `exec` always says it reads stdin.
  stderrNoise: [/could not create PATH aliases/, /^Reading additional input from stdin/],
  mcpConfig: (servers, { home, invocation }) => codexMcpConfig(servers, invocation.env['CODEX_HOME'] ?? `${home}/.codex`),
}

/** `[mcp_servers.<name>]` of `config.toml` in `CODEX_HOME`: `tool_timeout_sec` lifts Codex's 60 s call limit; approvals bypassed, tools run unasked. */
function codexMcpConfig(servers: readonly CliMcpServer[], codexHome: string): Record<string, string> {
  const tables = servers.map((s) =>
    [
      `[mcp_servers.${tomlString(s.name)}]`,
      `command = ${tomlString(s.command)}`,
      `args = [${s.args.map(tomlString).join(', ')}]`,
      'startup_timeout_sec = 30',
      `tool_timeout_sec = ${s.callSeconds}`,
    ].join('\n'),
  )
  return { [`${codexHome}/config.toml`]: `${tables.join('\n\n')}\n` }
}

type Item = {
  id?: string
  type?: string
  text?: string
  message?: string
  command?: string
  aggregated_output?: string
  exit_code?: number | null
  changes?: unknown
}

/** Codex's `Reconnecting... waiting for network (Connection failed: …)`, repeated with backoff while the server does not answer. */
const CONNECTION_FAILURE = /waiting for network|connection failed|error sending request/i

/** Codex's `exec --json` events; connection failures in a row are counted (`connectionFailures`): Codex retries them without end. */
export function parseCodexStream(lines: readonly string[]): CliStreamSummary {
  const summary = emptySummary()
  const call = (id: string, name: string, args: unknown) =>
    summary.messages.push({ role: 'assistant', content: '', tool_calls: [{ id, type: 'function', function: { name, arguments: JSON.stringify(args) } }] })
  let connectionFailures = 0
  for (const event of jsonLines(lines)) {
    const type = event['type']
    const failedConnection = type === 'error' && CONNECTION_FAILURE.test(String(event['message']))
    connectionFailures = failedConnection ? connectionFailures + 1 : 0
    if (type === 'thread.started') summary.messages.push({ role: 'system', content: `codex thread ${String(event['thread_id'])}` })
    else if (type === 'item.completed') {
      const item = (event['item'] ?? {}) as Item
      const id = String(item.id)
      if (item.type === 'agent_message') {
        summary.steps += 1
        summary.messages.push({ role: 'assistant', content: item.text ?? '' })
      } else if (item.type === 'command_execution') {
        summary.steps += 1
        call(id, 'exec_command', { cmd: item.command })
        summary.messages.push({
          role: 'tool',
          tool_call_id: id,
          content: `${item.aggregated_output ?? ''}${item.exit_code === undefined || item.exit_code === null ? '' : `\n[exit code ${item.exit_code}]`}`,
        })
      } else if (item.type === 'file_change' || item.type === 'mcp_tool_call' || item.type === 'web_search') {
        summary.steps += 1
        call(id, item.type, item)
      } else if (item.type === 'error') {
        summary.messages.push({ role: 'system', content: `codex: ${item.message ?? ''}` })
      }
    } else if (type === 'turn.completed') {
      const usage = (event['usage'] ?? {}) as Record<string, unknown>
      const cached = numberOr(usage['cached_input_tokens'])
      // Codex counts cached tokens inside input_tokens; we record them apart, as the other agents do.
      summary.input_tokens += Math.max(0, numberOr(usage['input_tokens']) - cached)
      summary.cache_read_tokens += cached
      summary.cache_write_tokens += numberOr(usage['cache_write_input_tokens'])
      summary.output_tokens += numberOr(usage['output_tokens'])
      summary.outcome = 'success'
      summary.error = null
    } else if (type === 'turn.failed' || type === 'error') {
      const error = (type === 'turn.failed' ? (event['error'] as { message?: string } | undefined)?.message : event['message']) ?? String(type)
      summary.outcome = 'error'
      summary.error = String(error)
    }
  }
  if (connectionFailures > 0) summary.connectionFailures = connectionFailures
  return summary
}
