import { CooperbenchError } from '@cooperbench/spec'
import { type CliMcpServer, type CliProfile, withoutProvider } from '../profile.js'
import { parseClaudeStream } from './claude-code.js'

const VERSION = '0.24.4'
const self = { package: '@qwen-code/qwen-code', binary: 'cli-entry.js' }

/**
 * Qwen Code (JavaScript run by Node.js) headless on an OpenAI-compatible Chat Completions endpoint. Its stream has Claude
 * Code's shape; turns are its own `--max-session-turns`; it reports no cost, so a cost limit holds only through the step limit.
 */
export const qwenCodeProfile: CliProfile = {
  specificationVersion: 'cli-profile-v1',
  name: 'qwen_code',
  description: `Qwen Code ${VERSION} headless (stream-json, OpenAI-compatible endpoint) in the sandbox; teammates through send_message/check_messages`,
  npm: {
    package: '@qwen-code/qwen-code',
    version: VERSION,
    command: 'qwen',
    runtime: 'node',
    platforms: { 'linux-x64': self, 'linux-arm64': self, 'linux-x64-musl': self, 'linux-arm64-musl': self },
  },
  modelId: (model) => withoutProvider(model, ['openai', 'qwen', 'dashscope']),
  credentials(env) {
    const value = env['OPENAI_API_KEY']
    if (value !== undefined && value !== '') return { OPENAI_API_KEY: value }
    throw new CooperbenchError('CONFIG_INVALID', 'qwen_code needs a key: OPENAI_API_KEY is not set', {
      hint: 'export OPENAI_API_KEY=… (the key of the OpenAI-compatible endpoint given with --model-base-url)',
    })
  },
  invocation(input) {
    const args = ['{prompt}', '--output-format', 'stream-json', '--yolo', '--auth-type', 'openai', '-m', input.model]
    if (input.baseUrl !== null) args.push('--openai-base-url', input.baseUrl)
    if (input.stepLimit > 0) args.push('--max-session-turns', String(input.stepLimit))
    return {
      args,
      env: { ...input.credentials, HOME: input.home, QWEN_CODE_SUPPRESS_YOLO_WARNING: '1' },
      enforces: { steps: input.stepLimit > 0, cost: false },
    }
  },
  reportsCost: false,
  sessionLogs: ['.qwen/projects/*/chats/*.jsonl'],
  parseStream: (lines) => parseClaudeStream(lines, 'qwen_code'),
  // Printed on every run where its bundled ripgrep cannot run (a read-only or noexec package folder); it falls back to its own grep.
  stderrNoise: [/^Ripgrep not available: /],
  mcpConfig: (servers, { home }) => qwenMcpConfig(servers, home),
}

/**
 * `mcpServers` of `~/.qwen/settings.json` in the run's home: `trust` skips confirmation (as `--yolo`), `timeout` (ms) is the
 * call limit, `alwaysLoadTools` offers the tools in every request, not behind its `tool_search`.
 */
function qwenMcpConfig(servers: readonly CliMcpServer[], home: string): Record<string, string> {
  const mcpServers = Object.fromEntries(
    servers.map((s) => [s.name, { command: s.command, args: s.args, timeout: s.callSeconds * 1000, trust: true, alwaysLoadTools: true }]),
  )
  return { [`${home}/.qwen/settings.json`]: `${JSON.stringify({ mcpServers }, null, 2)}\n` }
}
