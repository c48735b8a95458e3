/**
 * A stand-in of the OpenHands agent server (package openhands-agent-server of
 * OpenHands/software-agent-sdk) for tests of a bridge that drives it. It is a self-contained Node
 * program: this file, compiled, plus the `ws` package beside it in `node_modules/ws` (see
 * `fakeOpenHandsServerFiles()`), so it can be copied into any sandbox that has `node` and `bash`.
 *
 * It speaks the subset of the REST + WebSocket API a bridge uses, with the JSON shapes the real
 * server dumps (pydantic `model_dump(mode="json")`, snake_case, the `kind` discriminator naming
 * the class), and runs a real, minimal agent loop: an OpenAI-compatible `POST
 * {llm.base_url}/chat/completions` per step with the tools `terminal` (commands run with bash in
 * the workspace), `finish`, and every client tool of the conversation.
 *
 * Usage:
 *   node server.js [--host HOST] [--port PORT] [fault flags]
 *
 *   --host HOST      Bind address. Default as upstream's __main__.py: 127.0.0.1 without a session
 *                    key, 0.0.0.0 with one.
 *   --port PORT      Default 8000 (0 picks a free port; the chosen one is printed).
 *   Accepted and ignored (upstream flags): --reload, --import-modules X, --extra-python-path X.
 *
 * Auth (upstream config.py): the session keys come from OH_SESSION_API_KEYS_0, _1, … when
 * OH_SESSION_API_KEYS_0 is set, else from SESSION_API_KEY. With a key, every /api/* route needs
 * the header `X-Session-API-Key` (401 otherwise); /alive, /health, /ready, /server_info and / stay
 * open; WebSockets authenticate as sockets.py does (query `session_api_key` or the header, else a
 * first frame `{"type":"auth","session_api_key":…}` within 10 s; close code 4001 when wrong).
 *
 * Fault knobs (flag, or environment variable):
 *   --drop-ws-after N      OH_FAKE_DROP_WS_AFTER   Abruptly end (TCP reset, no close frame) an
 *                          event socket once it has sent N frames (the initial state snapshot and
 *                          resent events count). Events keep being recorded, so a reconnect with
 *                          resend_mode=since recovers them.
 *   --drop-ws-times K      OH_FAKE_DROP_WS_TIMES   How many sockets of each conversation are
 *                          dropped that way (default 1: the fault fires once per conversation).
 *   --hang run|llm         OH_FAKE_HANG            `run`: conversations are accepted and runs are
 *                          acknowledged, but nothing runs (the status stays idle). `llm`: a run
 *                          starts (status running) and its first step never calls the LLM and
 *                          never ends (until interrupt, pause+interrupt or DELETE).
 *   --startup-delay-ms N   OH_FAKE_STARTUP_DELAY_MS  /ready answers 503 {"status":"initializing"}
 *                          and /api/* 503 for N ms after start.
 *   --command-timeout S    OH_FAKE_COMMAND_TIMEOUT  Hard timeout of a terminal command when the
 *                          action sets none (default 300 s); on expiry the command's process group
 *                          is killed and the observation says so (exit_code -1).
 *
 * Left out on purpose: persistence (conversations live in memory), condensers, confirmation mode,
 * security analyzers, hooks, plugins, skills, sub-agents, streaming, file_editor and the other
 * tools (only `terminal`, `finish` and client tools are offered whatever `agent.tools` says), the
 * bash/file/git/vscode routers. Terminal sessions are emulated: each command runs in a fresh
 * `bash -c` that restores the previous command's exported variables and working directory.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, request as httpRequest, type ServerResponse } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { hostname, tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { type WebSocket, WebSocketServer } from 'ws'

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

interface Config {
  host: string
  port: number
  sessionKeys: string[]
  dropWsAfter: number
  dropWsTimes: number
  hang: 'run' | 'llm' | null
  startupDelayMs: number
  commandTimeoutSeconds: number
}

function usageError(message: string): never {
  process.stderr.write(`fake openhands agent server: ${message}\n`)
  process.exit(2)
}

function intOption(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value < 0) usageError(`${name} must be a non-negative number, not ${JSON.stringify(raw)}`)
  return value
}

/** Session keys as upstream config.py reads them: OH_SESSION_API_KEYS_<n> (V1) else SESSION_API_KEY (V0). */
function sessionKeysFromEnv(env: NodeJS.ProcessEnv): string[] {
  if (env.OH_SESSION_API_KEYS_0 !== undefined) {
    const keys: string[] = []
    for (let i = 0; env[`OH_SESSION_API_KEYS_${i}`] !== undefined; i++) keys.push(env[`OH_SESSION_API_KEYS_${i}`] as string)
    return keys.filter((key) => key !== '')
  }
  return env.SESSION_API_KEY ? [env.SESSION_API_KEY] : []
}

function parseConfig(argv: string[], env: NodeJS.ProcessEnv): Config {
  const flags: Record<string, string | undefined> = {}
  const takesValue = new Set(['--host', '--port', '--drop-ws-after', '--drop-ws-times', '--hang', '--startup-delay-ms', '--command-timeout', '--import-modules', '--extra-python-path'])
  const ignoredBare = new Set(['--reload', '--check-browser'])
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    const eq = arg.indexOf('=')
    const name = eq > 0 ? arg.slice(0, eq) : arg
    if (ignoredBare.has(name)) continue
    if (!takesValue.has(name)) usageError(`unknown argument ${JSON.stringify(arg)}`)
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i]
    if (value === undefined) usageError(`${name} needs a value`)
    flags[name] = value
  }
  const sessionKeys = sessionKeysFromEnv(env)
  const hangRaw = flags['--hang'] ?? env.OH_FAKE_HANG ?? ''
  if (hangRaw !== '' && hangRaw !== 'run' && hangRaw !== 'llm') usageError(`--hang must be run or llm, not ${JSON.stringify(hangRaw)}`)
  const port = intOption('--port', flags['--port'], 8000)
  if (!Number.isInteger(port) || port > 65535) usageError(`--port must be a port number`)
  return {
    host: flags['--host'] ?? (sessionKeys.length > 0 ? '0.0.0.0' : '127.0.0.1'),
    port,
    sessionKeys,
    dropWsAfter: Math.floor(intOption('--drop-ws-after', flags['--drop-ws-after'] ?? env.OH_FAKE_DROP_WS_AFTER, 0)),
    dropWsTimes: Math.floor(intOption('--drop-ws-times', flags['--drop-ws-times'] ?? env.OH_FAKE_DROP_WS_TIMES, 1)),
    hang: hangRaw === '' ? null : hangRaw,
    startupDelayMs: intOption('--startup-delay-ms', flags['--startup-delay-ms'] ?? env.OH_FAKE_STARTUP_DELAY_MS, 0),
    commandTimeoutSeconds: intOption('--command-timeout', flags['--command-timeout'] ?? env.OH_FAKE_COMMAND_TIMEOUT, 300),
  }
}

// ---------------------------------------------------------------------------------------------
// Small helpers: timestamps, python-style JSON and reprs
// ---------------------------------------------------------------------------------------------

type JsonObject = Record<string, unknown>

const pad = (n: number, width = 2): string => String(n).padStart(width, '0')

/** `datetime.isoformat()` of a naive local datetime (microseconds omitted when 0, as Python does). */
function pyLocalIso(micros: number): string {
  const d = new Date(Math.floor(micros / 1000))
  const us = ((micros % 1_000_000) + 1_000_000) % 1_000_000
  const base = `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  return us === 0 ? base : `${base}.${pad(us, 6)}`
}

let lastEventMicros = 0
/**
 * Event timestamps as sdk/event/base.py stamps them (`datetime.now().isoformat()`: naive, server
 * local time, microseconds), made strictly increasing so `timestamp >= t` filters are exact.
 */
function nextEventTimestamp(): string {
  let micros = Date.now() * 1000
  if (micros <= lastEventMicros) micros = lastEventMicros + 1
  lastEventMicros = micros
  return pyLocalIso(micros)
}

/** An aware UTC datetime as pydantic dumps it in JSON mode (`…Z`), e.g. `created_at`. */
function utcIso(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z')
}

/**
 * Parses a datetime query parameter as pydantic does (ISO 8601, optional offset, or a unix
 * timestamp) and normalizes it as event_router.normalize_datetime_to_server_timezone: aware
 * values converted to server local time, naive ones kept. Returns its `isoformat()`, or null.
 */
function normalizeDatetimeParam(raw: string): string | null {
  const text = raw.trim()
  if (/^-?\d+(\.\d+)?$/.test(text)) {
    let seconds = Number(text)
    if (Math.abs(seconds) > 2e10) seconds /= 1000
    return pyLocalIso(Math.round(seconds * 1_000_000))
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/.exec(text)
  if (m === null) return null
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', tz] = m
  const us = Number((frac + '000000').slice(0, 6))
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null
  if (tz === undefined) {
    const base = `${y}-${mo}-${d}T${h}:${mi}:${s}`
    return us === 0 ? base : `${base}.${pad(us, 6)}`
  }
  let offsetMinutes = 0
  if (tz !== 'Z' && tz !== 'z') {
    const sign = tz.startsWith('-') ? -1 : 1
    const digits = tz.slice(1).replace(':', '')
    offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'))
  }
  const utcMs = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) - offsetMinutes * 60_000
  return pyLocalIso(utcMs * 1000 + us)
}

/** Python's `json.dumps` with default separators and `ensure_ascii=True`. */
function pyJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : JSON.stringify(value)
  if (typeof value === 'string') return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  if (Array.isArray(value)) return `[${value.map(pyJsonDumps).join(', ')}]`
  if (typeof value === 'object') return `{${Object.entries(value as JsonObject).map(([k, v]) => `${pyJsonDumps(k)}: ${pyJsonDumps(v)}`).join(', ')}}`
  return 'null'
}

/** Python's `repr` of a list of strings, e.g. `['terminal', 'finish']`. */
const pyListRepr = (items: string[]): string => `[${items.map((item) => `'${item.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`).join(', ')}]`

/** A copy without the keys whose value is null or undefined (`exclude_none=True` on one model). */
function compact(object: JsonObject): JsonObject {
  const out: JsonObject = {}
  for (const [key, value] of Object.entries(object)) if (value !== null && value !== undefined) out[key] = value
  return out
}

/** A deep copy of JSON data (structuredClone needs Node 17; task images may have older ones). */
const jsonClone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value)

/** sdk/llm/message.py TextContent, dumped. */
const textContent = (text: string): JsonObject => ({ cache_prompt: false, type: 'text', text })

const UUID_RE = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})$/i
/** A conversation id in the dashed form `ConversationInfo.id` (a plain UUID) serializes to. */
function normalizeUuid(raw: string): string | null {
  const text = raw.trim().replace(/^urn:uuid:/i, '').replace(/^\{(.*)\}$/, '$1')
  if (!UUID_RE.test(text)) return null
  const hex = text.replace(/-/g, '').toLowerCase()
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

// ---------------------------------------------------------------------------------------------
// Events (openhands-sdk/openhands/sdk/event/*): every event has id, timestamp, source, parent_id
// (when set) and its fields, dumped with exclude_none, and `kind`, the class name.
// ---------------------------------------------------------------------------------------------

interface OhEvent extends JsonObject {
  id: string
  timestamp: string
  source: string
  kind: string
}

/** Modules of the event classes: the search route's `kind` filter compares `module.ClassName`. */
const EVENT_MODULES: Record<string, string> = {
  ActionEvent: 'openhands.sdk.event.llm_convertible.action',
  ObservationEvent: 'openhands.sdk.event.llm_convertible.observation',
  AgentErrorEvent: 'openhands.sdk.event.llm_convertible.observation',
  UserRejectObservation: 'openhands.sdk.event.llm_convertible.observation',
  MessageEvent: 'openhands.sdk.event.llm_convertible.message',
  SystemPromptEvent: 'openhands.sdk.event.llm_convertible.system',
  ConversationStateUpdateEvent: 'openhands.sdk.event.conversation_state',
  ConversationErrorEvent: 'openhands.sdk.event.conversation_error',
  PauseEvent: 'openhands.sdk.event.user_action',
  InterruptEvent: 'openhands.sdk.event.user_action',
  ServerErrorEvent: 'openhands.agent_server.models',
}

function makeEvent(kind: string, source: string, fields: JsonObject): OhEvent {
  const event = { id: randomUUID(), timestamp: nextEventTimestamp(), source } as OhEvent
  for (const [key, value] of Object.entries(fields)) if (value !== null && value !== undefined) event[key] = value
  event.kind = kind
  return event
}

/** sdk/event/error_classification.py ErrorClassification, as AGENT_OUTCOME and classify_error build it. */
const AGENT_OUTCOME = { kind: 'agent_action', retryable: true, user_action: 'retry' }

function classifyError(code: string, detail: string): JsonObject {
  const failure = (kind: string, retryable = false, userAction = 'none'): JsonObject => ({ kind, retryable, user_action: userAction })
  if (code === 'LLMAuthenticationError' || code === 'ACPAuthRequired') return failure('auth', false, 'settings')
  if (code === 'LLMRateLimitError') return failure('rate_limit', true, 'retry')
  if (code === 'MaxBudgetReached') return failure('quota', false, 'settings')
  if (['LLMBadRequestError', 'ACPInitError', 'ACPSpawnError', 'ACPPromptError', 'NotFoundError', 'LibTmuxException'].includes(code)) return failure('config', false, 'settings')
  if (code === 'LLMContextWindowExceedError' || code === 'LLMMalformedConversationHistoryError') return failure('agent_action', true, 'retry')
  if (code === 'MaxIterationsReached' || code === 'ConversationOwnershipLostError') return failure('agent_action')
  if (['KeyError', 'AssertionError', 'PydanticSerializationError', 'AttributeError', 'TypeError'].includes(code)) return failure('internal')
  const text = detail.toLowerCase()
  const has = (tokens: string[]): boolean => tokens.some((token) => text.includes(token))
  if (has(['invalid api key', 'incorrect api key', 'authentication required', 'invalid bearer token', 'invalid proxy server token', 'unauthorized', 'error code: 401', 'status": 401', 'token_not_found', 'api key is missing'])) return failure('auth', false, 'settings')
  if (has(['weekly usage limit', 'daily quota', 'session usage limit', 'insufficient balance', 'more credits', 'budget has been exceeded'])) return failure('quota', false, 'settings')
  if (has(['rate limit', 'error code: 429', 'status": 429'])) return failure('rate_limit', true, 'retry')
  if (has(['provider not provided', 'no models loaded', 'does not support thinking', 'model is no longer available', 'model not found', 'invalid params', 'inactive_service', 'powershell is not available'])) return failure('config', false, 'settings')
  if (has(['timeout', 'connection error', 'connection closed', 'service temporarily unavailable', 'bad gateway', 'cloudflare', 'cannot connect', 'name or service not known', 'error code: 5'])) return failure('transient', true, 'retry')
  if (has(['on_token callback', 'duplicate tool names', 'list_tools', 'on_tools_changed', 'surrogates not allowed'])) return failure('internal')
  if (['LLMServiceUnavailableError', 'LLMTimeoutError', 'ReadTimeout', 'LLMNoResponseError', 'MCPTimeoutError', 'BadGatewayError', 'HTTPStatusError', 'RequestError', 'CloudflareError', 'OpenAIError', 'APIError', 'BaseLLMException', 'AnthropicError', 'OpenRouterException', 'OllamaError'].includes(code)) return failure('transient', true, 'retry')
  return failure('unknown')
}

// ---------------------------------------------------------------------------------------------
// Tools: openhands-tools terminal/definition.py + descriptions.py, sdk/tool/builtins/finish.py,
// sdk/tool/client_tool.py. Parameters as ToolDefinition._get_tool_schema renders them (the
// `summary` meta field first, pydantic titles and defaults dropped by _process_schema_node).
// ---------------------------------------------------------------------------------------------

const SUMMARY_PROPERTY = {
  type: 'string',
  description: "A concise summary (approximately 10 words) describing what this specific action does. Focus on the key operation and target. Example: 'List all Python files in current directory'",
}

const NO_CHANGE_TIMEOUT_SECONDS = 30
const MAX_CMD_OUTPUT_SIZE = 30000

const TERMINAL_DESCRIPTION = [
  'Execute a shell command in the terminal within a persistent shell session.',
  '',
  '',
  '### Command Execution',
  '* One command at a time: You can only execute one shell command at a time.',
  '  If you need to run multiple commands sequentially, use `&&` or `;`.',
  '* Persistent session: Environment variables, virtual environments, and',
  '  working directory changes persist across commands.',
  '* Soft timeout: Commands pause for confirmation after 10 seconds without',
  '  new output unless you provide a longer `timeout`.',
  '* Shell options: Do NOT use `set -e`, `set -eu`, or `set -euo pipefail`.',
  '  The runtime may not support them reliably.',
  '',
  '### Long-running Commands',
  '* For commands that may run indefinitely, run them in the background and',
  '  redirect output to a file, e.g. `python3 app.py > server.log 2>&1 &`.',
  '* For long-running commands, set the `timeout` parameter accordingly.',
  '* If a command returns exit code `-1`, it hit the soft timeout and is',
  '  still running. With `is_input=true`, you can:',
  '  - Send empty `command` to retrieve additional logs',
  '  - Send text to STDIN of the running process',
  '  - Send control commands like `C-c`, `C-d`, or `C-z`',
  '  - Send navigation keys like `UP`, `DOWN`, `LEFT`, `RIGHT`, `TAB`,',
  '    `ESC`, `BS`, `HOME`, `END`, `PGUP`, and `PGDN`',
  '  - Send any `C-<letter>` Ctrl sequence such as `C-a`, `C-e`, or `C-l`',
  '',
  '### Best Practices',
  '* Verify a parent directory exists before creating files or directories.',
  '* Prefer absolute paths and avoid excessive use of `cd`.',
  '',
  '### Output Handling',
  '* Large output may be truncated before being returned.',
  '',
  '### Terminal Reset',
  '* Set `reset=true` to create a fresh terminal session if the current one',
  '  becomes unresponsive.',
  '* Resetting the terminal clears environment variables, working directory',
  '  changes, and running processes.',
].join('\n')

const TERMINAL_PARAMETERS = {
  type: 'object',
  properties: {
    summary: SUMMARY_PROPERTY,
    command: {
      type: 'string',
      description:
        'The shell command to execute. Can be empty string to view additional logs when the previous exit code is `-1`. Can be a special key name when `is_input` is True: `C-c` (Ctrl+C), `C-d` (Ctrl+D/EOF), `C-z` (Ctrl+Z), or any `C-<letter>` for Ctrl sequences; navigation keys `UP`, `DOWN`, `LEFT`, `RIGHT`, `HOME`, `END`, `PGUP`, `PGDN`; and `TAB`, `ESC`, `BS` (Backspace), `ENTER`. You can only execute one command at a time. Use the platform-appropriate shell syntax described in the tool description when chaining commands.',
    },
    is_input: { type: 'boolean', description: 'If True, the command is an input to the running process. If False, the command is executed in the terminal session. Default is False.' },
    timeout: {
      type: 'number',
      description: `Optional. Sets a maximum time limit (in seconds) for running the command. If the command takes longer than this limit, you’ll be asked whether to continue or stop it. If you don’t set a value, the command will instead pause and ask for confirmation when it produces no new output for ${NO_CHANGE_TIMEOUT_SECONDS} seconds. Use a higher value if the command is expected to take a long time (like installation or testing), or if it has a known fixed duration (like sleep).`,
    },
    reset: {
      type: 'boolean',
      description: 'If True, reset the terminal by creating a new session. Use this only when the terminal becomes unresponsive. Note that all previously set environment variables and session state will be lost after reset. Cannot be used with is_input=True.',
    },
  },
  required: ['command'],
}

const FINISH_DESCRIPTION = `Signals the completion of the current task or conversation.

Use this tool when:
- You have successfully completed the user's requested task
- You cannot proceed further due to technical limitations or missing information

The message should include:
- A clear summary of actions taken and their results
- Any next steps for the user
- Explanation if you're unable to complete the task
- Any follow-up questions if more information is needed
`

const FINISH_PARAMETERS = {
  type: 'object',
  properties: { summary: SUMMARY_PROPERTY, message: { type: 'string', description: 'Final message to send to the user.' } },
  required: ['message'],
}

/** sdk/tool/client_tool.py ClientToolSpec. */
interface ClientToolSpec {
  name: string
  description: string
  parameters: JsonObject
  annotations?: JsonObject
}

/** ClientTool._get_tool_schema: the client's schema verbatim with `summary` added first. */
function clientToolParameters(spec: ClientToolSpec): JsonObject {
  const merged = jsonClone(spec.parameters)
  if (merged.type === undefined) merged.type = 'object'
  const properties = isObject(merged.properties) ? merged.properties : {}
  const { summary: _ignored, ...rest } = properties
  merged.properties = { summary: SUMMARY_PROPERTY, ...rest }
  return merged
}

/** Tool names the SDK maps onto `terminal` when no tool of that name exists (agent/utils.py TOOL_NAME_ALIASES). */
const TERMINAL_ALIASES = new Set(['bash', 'command', 'execute', 'execute_bash', 'git', 'reset'])

/** ToolDefinition dumped as SystemPromptEvent.tools carries it. */
function toolDefinitionDump(kind: string, description: string, actionType: string, observationType: string, annotations: JsonObject | undefined, title: string, extra: JsonObject = {}): JsonObject {
  return compact({ description, action_type: actionType, observation_type: observationType, annotations, ...extra, kind, title })
}

// ---------------------------------------------------------------------------------------------
// Metrics: sdk/llm/utils/metrics.py (Metrics, MetricsSnapshot, TokenUsage) and
// sdk/conversation/conversation_stats.py (ConversationStats.usage_to_metrics).
// ---------------------------------------------------------------------------------------------

interface TokenUsage {
  model: string
  prompt_tokens: number
  completion_tokens: number
  cache_read_tokens: number
  cache_write_tokens: number
  reasoning_tokens: number
  context_window: number
  per_turn_token: number
  response_id: string
}

class Metrics {
  accumulatedCost = 0
  readonly costs: JsonObject[] = []
  readonly latencies: JsonObject[] = []
  readonly tokenUsages: TokenUsage[] = []
  accumulated: TokenUsage

  constructor(readonly modelName: string) {
    this.accumulated = this.usage({})
  }

  private usage(values: Partial<TokenUsage>): TokenUsage {
    return { model: this.modelName, prompt_tokens: 0, completion_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0, context_window: 0, per_turn_token: 0, response_id: '', ...values }
  }

  addCost(cost: number): void {
    this.accumulatedCost += cost
    this.costs.push({ model: this.modelName, cost, timestamp: Date.now() / 1000 })
  }

  addLatency(latency: number, responseId: string): void {
    this.latencies.push({ model: this.modelName, latency: Math.max(0, latency), response_id: responseId })
  }

  addTokenUsage(values: { prompt: number; completion: number; cacheRead: number; cacheWrite: number; reasoning: number; responseId: string }): void {
    const perTurn = values.prompt + values.completion
    const fields = { prompt_tokens: values.prompt, completion_tokens: values.completion, cache_read_tokens: values.cacheRead, cache_write_tokens: values.cacheWrite, reasoning_tokens: values.reasoning, context_window: 0, per_turn_token: perTurn }
    this.tokenUsages.push(this.usage({ ...fields, response_id: values.responseId }))
    const a = this.accumulated
    this.accumulated = this.usage({
      prompt_tokens: a.prompt_tokens + values.prompt,
      completion_tokens: a.completion_tokens + values.completion,
      cache_read_tokens: a.cache_read_tokens + values.cacheRead,
      cache_write_tokens: a.cache_write_tokens + values.cacheWrite,
      reasoning_tokens: a.reasoning_tokens + values.reasoning,
      context_window: Math.max(a.context_window, 0),
      per_turn_token: perTurn,
    })
  }

  /** MetricsSnapshot.model_dump(). */
  snapshot(): JsonObject {
    return { model_name: this.modelName, accumulated_cost: this.accumulatedCost, max_budget_per_task: null, accumulated_token_usage: { ...this.accumulated } }
  }

  /** Metrics.model_dump(mode="json"): the snapshot plus the per-call lists. */
  full(): JsonObject {
    return { ...this.snapshot(), costs: this.costs.map((c) => ({ ...c })), response_latencies: this.latencies.map((l) => ({ ...l })), token_usages: this.tokenUsages.map((t) => ({ ...t })) }
  }
}

// ---------------------------------------------------------------------------------------------
// LLM calls (OpenAI-compatible chat completions, as litellm sends them for an openai-compatible
// base_url) and their errors mapped as sdk/llm/exceptions/mapping.py names them.
// ---------------------------------------------------------------------------------------------

class CancelledError extends Error {
  constructor() {
    super('cancelled')
  }
}

/** An error the run loop turns into a ConversationErrorEvent with `code` = the SDK's exception class. */
class CodedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

interface HttpAnswer {
  status: number
  headers: Record<string, string>
  text: string
}

function postJson(url: string, body: unknown, headers: Record<string, string>, timeoutMs: number, signal: AbortSignal): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new CancelledError())
    let target: URL
    try {
      target = new URL(url)
    } catch {
      return reject(new CodedError('LLMBadRequestError', `invalid LLM base_url: ${url}`))
    }
    const payload = Buffer.from(JSON.stringify(body))
    const requestFn = target.protocol === 'https:' ? httpsRequest : httpRequest
    const req = requestFn(target, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(payload.length), ...headers } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        cleanup()
        const answerHeaders: Record<string, string> = {}
        for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) answerHeaders[name] = Array.isArray(value) ? value.join(', ') : value
        resolve({ status: res.statusCode ?? 0, headers: answerHeaders, text: Buffer.concat(chunks).toString('utf8') })
      })
      res.on('error', (error) => {
        cleanup()
        reject(signal.aborted ? new CancelledError() : new CodedError('LLMServiceUnavailableError', `Connection error: ${error.message}`))
      })
    })
    const timer = timeoutMs > 0 ? setTimeout(() => req.destroy(new CodedError('LLMTimeoutError', `Request timed out after ${timeoutMs / 1000} seconds`)), timeoutMs) : null
    const onAbort = (): void => {
      req.destroy(new CancelledError())
    }
    const cleanup = (): void => {
      if (timer) clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
    }
    signal.addEventListener('abort', onAbort, { once: true })
    req.on('error', (error) => {
      cleanup()
      if (error instanceof CancelledError || error instanceof CodedError) reject(error)
      else reject(signal.aborted ? new CancelledError() : new CodedError('LLMServiceUnavailableError', `Connection error: ${error.message}`))
    })
    req.end(payload)
  })
}

function llmErrorCode(status: number, text: string): string {
  const lower = text.toLowerCase()
  if (status === 400 && (lower.includes('context length') || lower.includes('context window') || lower.includes('maximum context'))) return 'LLMContextWindowExceedError'
  if (status === 401 || status === 403) return 'LLMAuthenticationError'
  if (status === 429) return 'LLMRateLimitError'
  if (status === 408) return 'LLMTimeoutError'
  if (status === 404) return 'NotFoundError'
  if (status >= 500) return 'LLMServiceUnavailableError'
  return 'LLMBadRequestError'
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new CancelledError())
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(new CancelledError())
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })

/** Never resolves; rejects with CancelledError when the signal aborts (the `hang` fault). */
const forever = (signal: AbortSignal): Promise<never> =>
  new Promise((_resolve, reject) => {
    if (signal.aborted) return reject(new CancelledError())
    signal.addEventListener('abort', () => reject(new CancelledError()), { once: true })
  })

// ---------------------------------------------------------------------------------------------
// Terminal: runs a command with bash in the workspace (terminal_session.py's observation texts).
// ---------------------------------------------------------------------------------------------

const TIMEOUT_MESSAGE_TEMPLATE =
  "You may wait longer to see additional output by sending empty command '', send other commands to interact with the current process, send keys (\"C-c\", \"C-z\", \"C-d\") to interrupt/kill the previous command before sending your new command, or use the timeout parameter in terminal for future commands."
const RESET_TEXT = 'Terminal session has been reset. All previous environment variables and session state have been cleared.'
const TRUNCATE_NOTICE = '<response clipped><NOTE>Due to the max output limit, only part of the full response has been shown to you.</NOTE>'

/** sdk/utils/truncate.py maybe_truncate (without saving the full output). */
function maybeTruncate(content: string, limit = MAX_CMD_OUTPUT_SIZE): string {
  if (content.length <= limit) return content
  const available = limit - TRUNCATE_NOTICE.length
  const head = Math.floor(available / 2) + (available % 2)
  const tail = available - head
  return content.slice(0, head) + TRUNCATE_NOTICE + (tail > 0 ? content.slice(-tail) : '')
}

interface CommandResult {
  output: string
  exitCode: number
  timedOut: boolean
  cwd: string
}

const shellQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`

// ---------------------------------------------------------------------------------------------
// Conversations (conversation_service.py / event_service.py / sdk LocalConversation + Agent)
// ---------------------------------------------------------------------------------------------

type ExecutionStatus = 'idle' | 'running' | 'paused' | 'waiting_for_confirmation' | 'finished' | 'error' | 'stuck' | 'deleting'

interface Subscriber {
  send(event: OhEvent): void
}

interface ActiveRun {
  controller: AbortController
  child: ChildProcess | null
  done: Promise<void>
  interrupted: boolean
}

interface LlmConfig {
  model: string
  baseUrl: string
  apiKey: string | null
  usageId: string
  timeoutMs: number
  numRetries: number
}

interface ToolEntry {
  name: string
  description: string
  parameters: JsonObject
  kind: 'terminal' | 'finish' | 'client'
  spec?: ClientToolSpec
}

const SECRET_LLM_FIELDS = ['api_key', 'aws_access_key_id', 'aws_secret_access_key', 'aws_session_token']

class Conversation {
  readonly events: OhEvent[] = []
  private readonly eventIndex = new Map<string, number>()
  readonly subscribers = new Set<Subscriber>()
  status: ExecutionStatus = 'idle'
  lastUserMessageId: string | null = null
  leafEventId: string | null = null
  readonly metrics: Metrics
  readonly createdAt = new Date()
  updatedAt = new Date()
  run: ActiveRun | null = null
  rerunRequested = false
  closed = false
  socketDrops = 0
  /** Working directory and exported variables of the emulated persistent shell. */
  cwd: string
  readonly shellStateFile: string
  readonly tools: ToolEntry[]
  /** Process groups of the commands run so far (background jobs stay in them). */
  readonly processGroups = new Set<number>()
  private systemPromptSent = false

  constructor(
    readonly id: string,
    readonly agent: JsonObject,
    readonly llm: LlmConfig,
    readonly workingDir: string,
    readonly maxIterations: number,
    readonly stuckDetection: boolean,
    readonly clientTools: ClientToolSpec[],
    readonly tags: JsonObject,
    readonly confirmationPolicy: JsonObject,
    private readonly systemPrompt: string,
    private readonly server: FakeAgentServer,
  ) {
    this.metrics = new Metrics(llm.model)
    this.cwd = workingDir
    this.shellStateFile = join(tmpdir(), `fake-openhands-shell-${id}.sh`)
    this.tools = [
      { name: 'terminal', description: TERMINAL_DESCRIPTION, parameters: TERMINAL_PARAMETERS, kind: 'terminal' },
      ...clientTools.map((spec): ToolEntry => ({ name: spec.name, description: spec.description, parameters: clientToolParameters(spec), kind: 'client', spec })),
      { name: 'finish', description: FINISH_DESCRIPTION, parameters: FINISH_PARAMETERS, kind: 'finish' },
    ]
  }

  // --- the event log ---------------------------------------------------------------------

  /**
   * LocalConversation._on_event: stamp parent_id, publish, append, advance HEAD. The timestamp is
   * (re)taken here, so the log's order is also its timestamp order (results created earlier than
   * a message that overtook them still sort after it, which `resend_mode=since` relies on).
   */
  emit(event: OhEvent): OhEvent {
    if (this.closed) return event
    const { id, timestamp: _created, source, parent_id: parent, ...rest } = event
    for (const key of Object.keys(event)) delete event[key]
    Object.assign(event, { id, timestamp: nextEventTimestamp(), source }, parent !== undefined ? { parent_id: parent } : this.leafEventId !== null ? { parent_id: this.leafEventId } : {}, rest)
    this.publish(event)
    this.eventIndex.set(event.id, this.events.length)
    this.events.push(event)
    this.updatedAt = new Date()
    if (event.kind !== 'ConversationStateUpdateEvent') this.leafEventId = event.id
    if (event.kind === 'MessageEvent' && event.source === 'user') {
      this.lastUserMessageId = event.id
      this.emitStateUpdate('last_user_message_id', event.id)
    }
    return event
  }

  publish(event: OhEvent): void {
    for (const subscriber of [...this.subscribers]) {
      try {
        subscriber.send(event)
      } catch {
        // a broken socket must not stop the others
      }
    }
  }

  getEvent(id: string): OhEvent | undefined {
    const index = this.eventIndex.get(id)
    return index === undefined ? undefined : this.events[index]
  }

  /** ConversationState.__setattr__'s on_state_change: ConversationStateUpdateEvent(key, value). */
  emitStateUpdate(key: string, value: unknown): void {
    this.emit(makeEvent('ConversationStateUpdateEvent', 'environment', { key, value }))
  }

  setStatus(status: ExecutionStatus): void {
    if (this.status === status) return
    this.status = status
    this.emitStateUpdate('execution_status', status)
  }

  /** ConversationStats dumped with context use_snapshot (the `stats` state update). */
  statsSnapshot(): JsonObject {
    return { usage_to_metrics: { [this.llm.usageId]: this.metrics.snapshot() } }
  }

  /** The agent as ConversationInfo / the state dump carry it: as sent, secrets redacted. */
  agentDump(): JsonObject {
    const agent = jsonClone(this.agent)
    if (isObject(agent.llm)) for (const field of SECRET_LLM_FIELDS) if (typeof agent.llm[field] === 'string') agent.llm[field] = '**********'
    if (agent.kind === undefined) agent.kind = 'Agent'
    return agent
  }

  /** ConversationState.model_dump(mode="json", exclude_none=True): the `full_state` value. */
  stateDump(): JsonObject {
    return compact({
      id: this.id,
      agent: this.agentDump(),
      workspace: { working_dir: this.workingDir, kind: 'LocalWorkspace' },
      persistence_dir: 'workspace/conversations',
      max_iterations: this.maxIterations,
      stuck_detection: this.stuckDetection,
      execution_status: this.status,
      confirmation_policy: this.confirmationPolicy,
      activated_knowledge_skills: [],
      activated_path_rules: [],
      invoked_skills: [],
      blocked_actions: {},
      blocked_messages: {},
      last_user_message_id: this.lastUserMessageId,
      leaf_event_id: this.leafEventId,
      head_is_empty: false,
      stats: { usage_to_metrics: { [this.llm.usageId]: this.metrics.full() } },
      secret_registry: { secret_sources: {} },
      tags: this.tags,
      agent_state: {},
    })
  }

  /** ConversationStateUpdateEvent.from_conversation_state: key `full_state`, not recorded. */
  fullStateEvent(): OhEvent {
    return makeEvent('ConversationStateUpdateEvent', 'environment', { key: 'full_state', value: this.stateDump() })
  }

  /** models.py ConversationInfo as conversation_service._compose_conversation_info builds it. */
  info(): JsonObject {
    return {
      id: this.id,
      workspace: { working_dir: this.workingDir, kind: 'LocalWorkspace' },
      persistence_dir: 'workspace/conversations',
      max_iterations: this.maxIterations,
      stuck_detection: this.stuckDetection,
      execution_status: this.status,
      confirmation_policy: this.confirmationPolicy,
      security_analyzer: null,
      activated_knowledge_skills: [],
      invoked_skills: [],
      blocked_actions: {},
      blocked_messages: {},
      last_user_message_id: this.lastUserMessageId,
      leaf_event_id: this.leafEventId,
      stats: { usage_to_metrics: { [this.llm.usageId]: this.metrics.full() } },
      secret_registry: { secret_sources: {} },
      agent_state: {},
      hook_config: null,
      title: null,
      metrics: null,
      created_at: utcIso(this.createdAt),
      updated_at: utcIso(this.updatedAt),
      forked_from_conversation_id: null,
      forked_from_event_id: null,
      parent_conversation_id: null,
      sub_conversation_ids: [],
      tags: this.tags,
      current_model_id: null,
      available_models: [],
      supports_runtime_model_switch: false,
      launched_agent_profile: null,
      agent: this.agentDump(),
      client_tools: this.clientTools.map((spec) => ({ name: spec.name, description: spec.description, parameters: spec.parameters, annotations: spec.annotations ?? null })),
    }
  }

  // --- messages and runs (event_service.py send_message / run / pause / interrupt) ----------

  /** Agent.init_state: the SystemPromptEvent, once, before the first user message. */
  private ensureAgentReady(): void {
    if (this.systemPromptSent) return
    this.systemPromptSent = true
    const tools = this.tools.map((tool) =>
      tool.kind === 'terminal'
        ? toolDefinitionDump('TerminalTool', TERMINAL_DESCRIPTION, 'TerminalAction', 'TerminalObservation', { title: 'terminal', readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true }, 'terminal')
        : tool.kind === 'finish'
          ? toolDefinitionDump('FinishTool', FINISH_DESCRIPTION, 'FinishAction', 'FinishObservation', { title: 'finish', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false }, 'finish')
          : toolDefinitionDump('ClientTool', tool.description, `ClientAction_${tool.name}`, 'ClientToolObservation', tool.spec?.annotations, tool.spec?.annotations?.title ? String(tool.spec.annotations.title) : tool.name, {
              client_tool_name: tool.name,
              input_schema: tool.spec?.parameters,
            }),
    )
    this.emit(makeEvent('SystemPromptEvent', 'agent', { system_prompt: textContent(this.systemPrompt), tools }))
  }

  /** LocalConversation.send_message (+ EventService.send_message's run handling). */
  sendMessage(role: string, content: JsonObject[], run: boolean): void {
    if (this.closed) throw new Error('inactive_service')
    this.ensureAgentReady()
    if (this.status === 'finished' || this.status === 'stuck') this.setStatus('idle')
    this.emit(makeEvent('MessageEvent', 'user', { llm_message: { role, content, thinking_blocks: [] }, activated_skills: [], extended_content: [] }))
    if (!run) return
    if (this.run !== null) {
      this.rerunRequested = true
      return
    }
    this.startRun()
  }

  /** EventService.run: refuses when already running. */
  startRun(): void {
    if (this.closed) throw new Error('inactive_service')
    if (this.status === 'running' || this.run !== null) throw new Error('conversation_already_running')
    if (this.server.config.hang === 'run') return
    const controller = new AbortController()
    const active: ActiveRun = { controller, child: null, done: Promise.resolve(), interrupted: false }
    this.run = active
    // LocalConversation.run: idle/paused/error/stuck -> running before the first step
    if (['idle', 'paused', 'error', 'stuck'].includes(this.status)) this.setStatus('running')
    active.done = this.runLoop(active)
  }

  /** LocalConversation.pause: between steps, from idle or running. */
  pause(): void {
    if (this.status === 'paused') return
    if (this.status === 'idle' || this.status === 'running') {
      this.setStatus('paused')
      this.emit(makeEvent('PauseEvent', 'user', {}))
    }
  }

  /** EventService.interrupt: cancels the in-flight step (LLM call or command); falls back to pause. */
  async interrupt(): Promise<void> {
    this.rerunRequested = false
    const active = this.run
    if (active === null) {
      this.pause()
      this.publish(this.fullStateEvent())
      return
    }
    this.cancelRun(active)
    await Promise.race([active.done, new Promise((resolve) => setTimeout(resolve, 5000))])
  }

  private cancelRun(active: ActiveRun): void {
    active.interrupted = true
    active.controller.abort()
    killProcessGroup(active.child)
  }

  /** EventService.close as DELETE runs it: pause, cancel the run, stop publishing. */
  async close(): Promise<void> {
    this.rerunRequested = false
    const active = this.run
    if (active !== null) {
      this.pause()
      this.cancelRun(active)
      await Promise.race([active.done, new Promise((resolve) => setTimeout(resolve, 10_000))])
    }
    this.subscribers.clear()
    this.closed = true
    // the terminal session goes with the conversation, background jobs included
    for (const pid of this.processGroups) killGroup(pid)
    this.processGroups.clear()
    rmSync(this.shellStateFile, { force: true })
  }

  /** LocalConversation.run / arun: steps until finished, paused, stuck, an error or max_iterations. */
  private async runLoop(active: ActiveRun): Promise<void> {
    await Promise.resolve() // let startRun return first
    let iteration = 0
    try {
      for (;;) {
        if (this.status === 'paused' || this.status === 'stuck' || this.status === 'finished') break
        if (this.status === 'waiting_for_confirmation') this.setStatus('running')
        await this.step(active)
        iteration++
        if (iteration >= this.maxIterations) {
          if ((this.status as ExecutionStatus) === 'finished') break
          const detail = `Agent reached maximum iterations limit (${this.maxIterations}).`
          this.setStatus('error')
          this.emit(makeEvent('ConversationErrorEvent', 'environment', { code: 'MaxIterationsReached', detail, classification: classifyError('MaxIterationsReached', detail) }))
          break
        }
      }
    } catch (error) {
      if (error instanceof CancelledError || active.interrupted) {
        // arun's CancelledError handler: close orphaned tool calls, PAUSED, InterruptEvent
        for (const action of this.unmatchedActions()) {
          this.emit(makeEvent('AgentErrorEvent', 'agent', { tool_name: action.tool_name, tool_call_id: action.tool_call_id, error: 'Tool call interrupted before completion. The conversation was paused.', classification: AGENT_OUTCOME }))
        }
        this.setStatus('paused')
        this.emit(makeEvent('InterruptEvent', 'user', {}))
      } else {
        const code = error instanceof CodedError ? error.code : error instanceof Error ? error.constructor.name : 'Exception'
        const detail = error instanceof Error ? error.message : String(error)
        this.setStatus('error')
        this.emit(makeEvent('ConversationErrorEvent', 'environment', { code, detail, classification: classifyError(code, detail) }))
      }
    } finally {
      killProcessGroup(active.child)
      if (this.run === active) this.run = null
      if (!this.closed) {
        this.publish(this.fullStateEvent())
        const rerun = this.rerunRequested
        this.rerunRequested = false
        if (rerun && this.status === 'idle' && !active.interrupted) this.startRun()
      }
    }
  }

  /** ActionEvents with no observation, error or rejection yet (ConversationState.get_unmatched_actions). */
  private unmatchedActions(): OhEvent[] {
    const answered = new Set<string>()
    for (const event of this.events) if (['ObservationEvent', 'AgentErrorEvent', 'UserRejectObservation'].includes(event.kind)) answered.add(String(event.tool_call_id))
    return this.events.filter((event) => event.kind === 'ActionEvent' && event.action !== undefined && !answered.has(String(event.tool_call_id)))
  }

  // --- one agent step (sdk/agent/agent.py Agent.step + response_dispatch.py) -----------------

  private async step(active: ActiveRun): Promise<void> {
    const signal = active.controller.signal
    if (this.server.config.hang === 'llm') await forever(signal)
    const body = { model: wireModel(this.llm.model), messages: this.chatMessages(), tools: this.tools.map((tool) => ({ type: 'function', function: { name: tool.name, description: tool.description, parameters: tool.parameters } })) }
    const response = await this.completion(body, signal)
    if (signal.aborted) throw new CancelledError()
    const choice = Array.isArray(response.choices) ? (response.choices[0] as JsonObject | undefined) : undefined
    const message = choice !== undefined && isObject(choice.message) ? choice.message : null
    if (message === null) throw new CodedError('LLMNoResponseError', 'Response choices is less than 1. Response: ' + JSON.stringify(response).slice(0, 500))
    const responseId = typeof response.id === 'string' ? response.id : randomUUID()
    const text = typeof message.content === 'string' ? message.content : Array.isArray(message.content) ? message.content.map((part) => (isObject(part) && typeof part.text === 'string' ? part.text : '')).join('') : ''
    const toolCalls = Array.isArray(message.tool_calls) ? message.tool_calls.filter(isObject) : []

    if (toolCalls.length > 0) {
      const thought = text.trim() === '' ? [] : [textContent(text)]
      const actions: Array<{ event: OhEvent; tool: ToolEntry; args: JsonObject }> = []
      toolCalls.forEach((call, i) => {
        const created = this.actionEvent(call, responseId, i === 0 ? thought : [])
        if (created !== null) actions.push(created)
      })
      // _ActionBatch: calls after `finish` are discarded; results are emitted in call order
      const finishIndex = actions.findIndex((action) => action.tool.kind === 'finish')
      const batch = finishIndex === -1 ? actions : actions.slice(0, finishIndex + 1)
      const results: OhEvent[] = []
      for (const action of batch) results.push(await this.execute(action, active))
      for (const result of results) this.emit(result)
      if (finishIndex !== -1) this.setStatus('finished')
      return
    }
    const llmMessage = { role: 'assistant', content: text === '' ? [] : [textContent(text)], thinking_blocks: [] }
    this.emit(makeEvent('MessageEvent', 'agent', { llm_message: llmMessage, llm_response_id: responseId, activated_skills: [], extended_content: [] }))
    if (text.trim() !== '') {
      this.setStatus('finished')
      return
    }
    this.emit(
      makeEvent('MessageEvent', 'environment', {
        llm_message: { role: 'user', content: [textContent('Your last response did not include a function call or a message. Please use a tool to proceed with the task.')], thinking_blocks: [] },
        activated_skills: [],
        extended_content: [],
      }),
    )
  }

  /** LLM.completion with retries, then Telemetry.on_response's metrics and the `stats` state update. */
  private async completion(body: JsonObject, signal: AbortSignal): Promise<JsonObject> {
    const url = `${this.llm.baseUrl.replace(/\/+$/, '')}/chat/completions`
    const headers: Record<string, string> = this.llm.apiKey ? { authorization: `Bearer ${this.llm.apiKey}` } : {}
    for (let attempt = 0; ; attempt++) {
      const started = Date.now()
      let answer: HttpAnswer
      try {
        answer = await postJson(url, body, headers, this.llm.timeoutMs, signal)
      } catch (error) {
        if (error instanceof CodedError && (error.code === 'LLMServiceUnavailableError' || error.code === 'LLMTimeoutError') && attempt < this.llm.numRetries) {
          await sleep(Math.min(2000, 250 * 2 ** attempt), signal)
          continue
        }
        throw error
      }
      if (answer.status < 200 || answer.status >= 300) {
        const code = llmErrorCode(answer.status, answer.text)
        const retryable = answer.status === 429 || answer.status === 408 || answer.status >= 500
        if (retryable && attempt < this.llm.numRetries) {
          const retryAfter = Number(answer.headers['retry-after'])
          await sleep(Number.isFinite(retryAfter) && retryAfter >= 0 ? Math.min(5000, retryAfter * 1000) : Math.min(2000, 250 * 2 ** attempt), signal)
          continue
        }
        throw new CodedError(code, `Error code: ${answer.status} - ${answer.text.slice(0, 2000)}`)
      }
      let response: unknown
      try {
        response = JSON.parse(answer.text)
      } catch {
        throw new CodedError('LLMNoResponseError', `the LLM answered with a body that is not JSON: ${answer.text.slice(0, 200)}`)
      }
      if (!isObject(response)) throw new CodedError('LLMNoResponseError', 'the LLM answered with a body that is not a JSON object')
      this.recordUsage(response, answer.headers, (Date.now() - started) / 1000)
      return response
    }
  }

  /** Telemetry.on_response: latency, cost (LiteLLM's response-cost header, else `usage.cost`), tokens. */
  private recordUsage(response: JsonObject, headers: Record<string, string>, latencySeconds: number): void {
    const responseId = typeof response.id === 'string' ? response.id : ''
    this.metrics.addLatency(latencySeconds, responseId)
    const usage = isObject(response.usage) ? response.usage : null
    const headerCost = Number(headers['x-litellm-response-cost'])
    const cost = Number.isFinite(headerCost) && headers['x-litellm-response-cost'] !== undefined ? headerCost : usage !== null && typeof usage.cost === 'number' ? usage.cost : 0
    if (cost > 0) this.metrics.addCost(cost)
    if (usage !== null) {
      const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0)
      const prompt = num(usage.prompt_tokens ?? usage.input_tokens)
      const completion = num(usage.completion_tokens ?? usage.output_tokens)
      if (prompt > 0 || completion > 0) {
        const promptDetails = isObject(usage.prompt_tokens_details) ? usage.prompt_tokens_details : isObject(usage.input_tokens_details) ? usage.input_tokens_details : {}
        const completionDetails = isObject(usage.completion_tokens_details) ? usage.completion_tokens_details : isObject(usage.output_tokens_details) ? usage.output_tokens_details : {}
        this.metrics.addTokenUsage({
          prompt,
          completion,
          cacheRead: num(promptDetails.cached_tokens) || num(usage.cached_tokens),
          cacheWrite: num(usage.cache_creation_input_tokens),
          reasoning: num(completionDetails.reasoning_tokens),
          responseId,
        })
      }
    }
    this.emitStateUpdate('stats', this.statsSnapshot())
  }

  /** Agent._get_action_event: validates a tool call into an ActionEvent (emitted), or emits ActionEvent + AgentErrorEvent. */
  private actionEvent(call: JsonObject, responseId: string, thought: JsonObject[]): { event: OhEvent; tool: ToolEntry; args: JsonObject } | null {
    const fn = isObject(call.function) ? call.function : {}
    const requestedName = typeof fn.name === 'string' ? fn.name : ''
    const rawArguments = typeof fn.arguments === 'string' ? fn.arguments : isObject(fn.arguments) ? JSON.stringify(fn.arguments) : ''
    const toolCall = { id: typeof call.id === 'string' ? call.id : `call_${randomUUID()}`, name: requestedName, arguments: rawArguments, origin: 'completion' }
    const available = this.tools.map((tool) => tool.name)
    const fail = (error: string, toolName: string): null => {
      let failedCall = toolCall
      try {
        JSON.parse(toolCall.arguments)
      } catch {
        failedCall = { ...toolCall, arguments: pyJsonDumps({ _openhands_malformed_tool_call: true, error }) }
      }
      this.emit(makeEvent('ActionEvent', 'agent', { thought, thinking_blocks: [], tool_name: failedCall.name, tool_call_id: failedCall.id, tool_call: failedCall, llm_response_id: responseId, security_risk: 'UNKNOWN' }))
      this.emit(makeEvent('AgentErrorEvent', 'agent', { tool_name: toolName, tool_call_id: failedCall.id, error, classification: AGENT_OUTCOME }))
      return null
    }
    let args: JsonObject
    try {
      const parsed: unknown = rawArguments.trim() === '' ? {} : JSON.parse(rawArguments)
      if (!isObject(parsed)) throw new SyntaxError('arguments are not a JSON object')
      args = parsed
    } catch (error) {
      return fail(`Error validating tool '${requestedName}': ${error instanceof Error ? error.message : String(error)}. Arguments: unparseable JSON`, requestedName)
    }
    let toolName = requestedName
    if (!available.includes(toolName) && TERMINAL_ALIASES.has(toolName)) {
      toolName = 'terminal'
      if (requestedName === 'git' || requestedName === 'reset') {
        const original = args.command
        const kept: JsonObject = {}
        for (const key of ['security_risk', 'summary']) if (key in args) kept[key] = args[key]
        kept.command = !original ? requestedName : String(original).split(/\s+/)[0] === requestedName ? original : `${requestedName} ${String(original)}`
        args = kept
      }
    }
    const tool = this.tools.find((candidate) => candidate.name === toolName)
    if (tool === undefined) return fail(`Tool '${toolName}' not found. Available: ${pyListRepr(available)}`, toolName)
    delete args.security_risk
    const rawSummary = args.summary
    delete args.summary
    const missing = (Array.isArray(tool.parameters.required) ? tool.parameters.required : []).filter((field): field is string => typeof field === 'string' && field !== 'summary' && !(field in args))
    const wrongType = tool.kind === 'terminal' && 'command' in args && typeof args.command !== 'string' ? 'command' : tool.kind === 'finish' && 'message' in args && typeof args.message !== 'string' ? 'message' : null
    if (missing.length > 0 || wrongType !== null) {
      const problem = missing.length > 0 ? `missing required field(s) ${pyListRepr(missing)}` : `field '${wrongType}' must be a string`
      return fail(`Error validating tool '${toolName}': ${problem}. Parameters provided: ${pyListRepr(Object.keys(args))}`, toolName)
    }
    const summary = typeof rawSummary === 'string' && rawSummary.trim() !== '' ? rawSummary : `${toolName}: ${pyJsonDumps(args)}`
    let action: JsonObject
    if (tool.kind === 'terminal') {
      const timeout = typeof args.timeout === 'number' ? args.timeout : null
      action = compact({ command: args.command, is_input: args.is_input === true, timeout, reset: args.reset === true, kind: 'TerminalAction' })
    } else if (tool.kind === 'finish') action = { message: args.message, kind: 'FinishAction' }
    else action = { ...compact(args), kind: `ClientAction_${tool.name}` }
    const normalizedCall = { ...toolCall, name: tool.name, arguments: pyJsonDumps(args) }
    const event = this.emit(
      makeEvent('ActionEvent', 'agent', { thought, thinking_blocks: [], action, tool_name: tool.name, tool_call_id: normalizedCall.id, tool_call: normalizedCall, llm_response_id: responseId, security_risk: 'UNKNOWN', summary }),
    )
    return { event, tool, args }
  }

  /** Agent._execute_action_event: the tool's observation as an ObservationEvent (emitted by the caller). */
  private async execute(action: { event: OhEvent; tool: ToolEntry; args: JsonObject }, active: ActiveRun): Promise<OhEvent> {
    const observationEvent = (observation: JsonObject): OhEvent =>
      makeEvent('ObservationEvent', 'environment', { tool_name: action.tool.name, tool_call_id: action.event.tool_call_id, observation, action_id: action.event.id, extended_content: [] })
    if (action.tool.kind === 'finish') return observationEvent({ content: [textContent(String(action.args.message))], is_error: false, kind: 'FinishObservation' })
    if (action.tool.kind === 'client') return observationEvent({ content: [textContent('Tool call dispatched to client.')], is_error: false, kind: 'ClientToolObservation' })
    const args = action.args
    const command = String(args.command)
    if (args.reset === true && args.is_input === true) {
      return makeEvent('AgentErrorEvent', 'agent', { tool_name: 'terminal', tool_call_id: action.event.tool_call_id, error: "Error executing tool 'terminal': Cannot use reset=True with is_input=True", classification: AGENT_OUTCOME })
    }
    const terminalObservation = (text: string, fields: { command: string; exitCode: number | null; isError?: boolean; timedOut?: boolean; metadata?: JsonObject }): JsonObject =>
      compact({
        content: [textContent(text)],
        is_error: fields.isError === true,
        command: fields.command,
        exit_code: fields.exitCode,
        timeout: fields.timedOut === true,
        metadata: fields.metadata ?? { exit_code: -1, pid: -1, prefix: '', suffix: '' },
        kind: 'TerminalObservation',
      })
    if (args.reset === true) {
      this.cwd = this.workingDir
      rmSync(this.shellStateFile, { force: true })
      if (command.trim() === '') return observationEvent(terminalObservation(RESET_TEXT, { command: '[RESET]', exitCode: 0 }))
    } else if (args.is_input === true) {
      return observationEvent(terminalObservation('No previous running command to interact with.', { command, exitCode: null, isError: true }))
    } else if (command.trim() === '') {
      return observationEvent(terminalObservation('No previous running command to retrieve logs from.', { command, exitCode: null, isError: true }))
    }
    const timeoutSeconds = typeof args.timeout === 'number' && args.timeout > 0 ? args.timeout : this.server.config.commandTimeoutSeconds
    const result = await this.runCommand(command, timeoutSeconds, active)
    const output = maybeTruncate(result.output)
    const metadata = compact({
      exit_code: result.timedOut ? -1 : result.exitCode,
      pid: -1,
      username: safeUsername(),
      hostname: hostname(),
      working_dir: result.timedOut ? null : result.cwd,
      prefix: '',
      suffix: result.timedOut ? `\n[The command timed out after ${timeoutSeconds} seconds. ${TIMEOUT_MESSAGE_TEMPLATE}]` : `\n[The command completed with exit code ${result.exitCode}.]`,
    })
    const text = args.reset === true ? `${RESET_TEXT}\n\n${output}` : output
    return observationEvent(terminalObservation(text, { command: args.reset === true ? `[RESET] ${command}` : command, exitCode: result.timedOut ? -1 : result.exitCode, timedOut: result.timedOut, metadata }))
  }

  /** One command in a fresh `bash -c` that restores the previous command's exports and directory. */
  private runCommand(command: string, timeoutSeconds: number, active: ActiveRun): Promise<CommandResult> {
    const state = this.shellStateFile
    const script = [
      `if [ -f ${shellQuote(state)} ]; then . ${shellQuote(state)} >/dev/null 2>&1; fi`,
      `cd ${shellQuote(this.cwd)} 2>/dev/null || cd ${shellQuote(this.workingDir)}`,
      `__oh_save() { __oh_ec=$?; { export -p; printf 'cd %q\\n' "$PWD"; } > ${shellQuote(state)}.tmp 2>/dev/null && mv -f ${shellQuote(state)}.tmp ${shellQuote(state)}; printf '%s' "$PWD" >&3; exit $__oh_ec; }`,
      'trap __oh_save EXIT',
      'exec 2>&1',
      command,
    ].join('\n')
    return new Promise((resolve, reject) => {
      if (active.controller.signal.aborted) return reject(new CancelledError())
      let child: ChildProcess
      try {
        child = spawn('bash', ['-c', script], { cwd: existsSync(this.cwd) ? this.cwd : this.workingDir, detached: true, stdio: ['ignore', 'pipe', 'pipe', 'pipe'], env: commandEnv() })
      } catch (error) {
        return resolve({ output: `bash could not be started: ${error instanceof Error ? error.message : String(error)}`, exitCode: 127, timedOut: false, cwd: this.cwd })
      }
      active.child = child
      if (child.pid !== undefined) this.processGroups.add(child.pid)
      const output: Buffer[] = []
      let cwdText = ''
      let timedOut = false
      let settled = false
      const streams = [child.stdout, child.stderr, child.stdio[3]].filter((stream): stream is NonNullable<typeof stream> => stream !== null && stream !== undefined)
      child.stdout?.on('data', (chunk: Buffer) => output.push(chunk))
      child.stderr?.on('data', (chunk: Buffer) => output.push(chunk))
      child.stdio[3]?.on('data', (chunk: Buffer) => (cwdText += chunk.toString('utf8')))
      const timer = setTimeout(() => {
        timedOut = true
        killProcessGroup(child)
      }, timeoutSeconds * 1000)
      const finish = (code: number | null, signalName: NodeJS.Signals | null): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        if (active.child === child) active.child = null
        for (const stream of streams) stream.destroy()
        if (active.controller.signal.aborted) return reject(new CancelledError())
        if (cwdText !== '' && !timedOut) this.cwd = cwdText
        const text = Buffer.concat(output).toString('utf8').replace(/\n$/, '')
        resolve({ output: text, exitCode: code ?? (signalName ? 128 + signalNumber(signalName) : -1), timedOut, cwd: this.cwd })
      }
      child.on('error', (error) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        if (active.child === child) active.child = null
        resolve({ output: `bash could not be started: ${error.message}`, exitCode: 127, timedOut: false, cwd: this.cwd })
      })
      // 'close' waits for every holder of the pipes; a job the command left in the background
      // holds them too, so after bash exits the output is only awaited briefly
      child.on('exit', (code, signalName) => setTimeout(() => finish(code, signalName), 200))
      child.on('close', (code, signalName) => finish(code, signalName))
    })
  }

  /** LLMConvertibleEvent.events_to_messages + Message.to_chat_dict: the chat history. */
  chatMessages(): JsonObject[] {
    const messages: JsonObject[] = []
    const parts = (content: unknown): JsonObject[] => (Array.isArray(content) ? content.filter(isObject).map((part) => (part.type === 'image' ? part : { type: 'text', text: String(part.text ?? '') })) : [])
    const push = (message: JsonObject): void => {
      const previous = messages[messages.length - 1]
      const plainUser = (m: JsonObject): boolean => m.role === 'user' && m.tool_calls === undefined && m.tool_call_id === undefined && m.name === undefined
      if (previous !== undefined && plainUser(previous) && plainUser(message)) previous.content = [...(previous.content as JsonObject[]), ...(message.content as JsonObject[])]
      else messages.push(message)
    }
    for (let i = 0; i < this.events.length; i++) {
      const event = this.events[i] as OhEvent
      switch (event.kind) {
        case 'SystemPromptEvent':
          push({ role: 'system', content: parts([event.system_prompt]) })
          break
        case 'MessageEvent': {
          const llm = isObject(event.llm_message) ? event.llm_message : {}
          const content = [...parts(llm.content), ...parts(event.extended_content)]
          push(llm.role === 'assistant' && content.length === 0 ? { role: 'assistant', content: '' } : { role: String(llm.role ?? 'user'), content })
          break
        }
        case 'ActionEvent': {
          const batch = [event]
          while (i + 1 < this.events.length) {
            const next = this.events[i + 1] as OhEvent
            if (next.kind !== 'ActionEvent' || next.llm_response_id !== event.llm_response_id) break
            batch.push(next)
            i++
          }
          const thought = parts(event.thought)
          const toolCalls = batch.map((action) => {
            const call = action.tool_call as JsonObject
            return { id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }
          })
          push(thought.length > 0 ? { role: 'assistant', content: thought, tool_calls: toolCalls } : { role: 'assistant', tool_calls: toolCalls })
          break
        }
        case 'ObservationEvent':
          push({ role: 'tool', content: [...observationLlmContent(event.observation as JsonObject), ...parts(event.extended_content)], tool_call_id: event.tool_call_id, name: event.tool_name })
          break
        case 'AgentErrorEvent':
          push({ role: 'tool', content: [{ type: 'text', text: String(event.error) }], tool_call_id: event.tool_call_id, name: event.tool_name })
          break
        case 'UserRejectObservation':
          push({ role: 'tool', content: [{ type: 'text', text: `Action rejected: ${String(event.rejection_reason)}` }], tool_call_id: event.tool_call_id, name: event.tool_name })
          break
        default:
          break
      }
    }
    return messages
  }
}

/** Observation.to_llm_content (TerminalObservation's adds its metadata lines). */
function observationLlmContent(observation: JsonObject): JsonObject[] {
  const text = (Array.isArray(observation.content) ? observation.content : []).map((part) => (isObject(part) && typeof part.text === 'string' ? part.text : '')).join('')
  const out: JsonObject[] = []
  if (observation.is_error === true) out.push({ type: 'text', text: '[An error occurred during execution.]\n' })
  if (observation.kind === 'TerminalObservation') {
    const metadata = isObject(observation.metadata) ? observation.metadata : {}
    let ret = `${String(metadata.prefix ?? '')}${text}${String(metadata.suffix ?? '')}`
    if (typeof metadata.working_dir === 'string') ret += `\n[Current working directory: ${metadata.working_dir}]`
    if (typeof metadata.py_interpreter_path === 'string') ret += `\n[Python interpreter: ${metadata.py_interpreter_path}]`
    if (metadata.exit_code !== -1) ret += `\n[Command finished with exit code ${String(metadata.exit_code)}]`
    out.push({ type: 'text', text: maybeTruncate(ret) })
  } else out.push({ type: 'text', text })
  return out
}

/** litellm drops the provider prefix of an openai-compatible model before sending it. */
function wireModel(model: string): string {
  for (const prefix of ['openai/', 'litellm_proxy/', 'hosted_vllm/']) if (model.startsWith(prefix)) return model.slice(prefix.length)
  return model
}

/** The server's environment without its session keys: the agent's commands do not get them. */
function commandEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env }
  for (const name of Object.keys(env)) if (name === 'SESSION_API_KEY' || name.startsWith('OH_SESSION_API_KEYS_')) delete env[name]
  return env
}

function safeUsername(): string | null {
  try {
    return userInfo().username
  } catch {
    return null
  }
}

function signalNumber(name: string): number {
  const numbers: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15, SIGPIPE: 13 }
  return numbers[name] ?? 0
}

function killProcessGroup(child: ChildProcess | null): void {
  if (child === null || child.pid === undefined) return
  killGroup(child.pid)
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL')
  } catch {
    // the group is gone already
  }
}

// ---------------------------------------------------------------------------------------------
// The HTTP + WebSocket server
// ---------------------------------------------------------------------------------------------

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: unknown,
  ) {
    super(typeof detail === 'string' ? detail : `HTTP ${status}`)
  }
}

const STATUS_PHRASES: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 422: 'Unprocessable Entity', 503: 'Service Unavailable' }
const httpError = (status: number, detail?: unknown): HttpError => new HttpError(status, detail ?? STATUS_PHRASES[status] ?? `HTTP ${status}`)

/** A FastAPI/pydantic validation error (422) for one field. */
const validationError = (loc: Array<string | number>, msg: string, type = 'value_error', input: unknown = null): HttpError => new HttpError(422, [{ type, loc, msg, input }])

const EXECUTION_STATUSES = new Set(['idle', 'running', 'paused', 'waiting_for_confirmation', 'finished', 'error', 'stuck', 'deleting'])

class FakeAgentServer {
  readonly conversations = new Map<string, Conversation>()
  private readonly startTime = Date.now()
  private lastEventTime = Date.now()
  private ready = false
  private readonly http = createServer((req, res) => {
    this.handle(req, res).catch((error: unknown) => this.sendError(res, error))
  })
  private readonly wss = new WebSocketServer({ noServer: true })

  constructor(readonly config: Config) {
    this.http.on('upgrade', (req, socket, head) => this.upgrade(req, socket as Socket, head))
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject)
      this.http.listen(this.config.port, this.config.host, () => {
        this.http.off('error', reject)
        resolve()
      })
    })
    const markReady = (): void => {
      this.ready = true
    }
    if (this.config.startupDelayMs > 0) setTimeout(markReady, this.config.startupDelayMs)
    else markReady()
    return (this.http.address() as AddressInfo).port
  }

  async close(): Promise<void> {
    await Promise.all([...this.conversations.values()].map((conversation) => conversation.close()))
    for (const client of this.wss.clients) client.terminate()
    const closing = new Promise<void>((resolve) => this.http.close(() => resolve()))
    this.http.closeAllConnections?.()
    await closing
  }

  private authorized(key: string | undefined | null): boolean {
    return this.config.sessionKeys.length === 0 || (typeof key === 'string' && this.config.sessionKeys.includes(key))
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    if (res.headersSent || res.destroyed) return
    const text = JSON.stringify(body)
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
    res.end(text)
  }

  /** api.py's exception handlers: `{"detail": …}` for HTTP errors, 500 with `exception` otherwise. */
  private sendError(res: ServerResponse, error: unknown): void {
    if (error instanceof HttpError) return this.send(res, error.status, { detail: error.detail })
    this.send(res, 500, { detail: 'Internal Server Error', exception: error instanceof Error ? error.message : String(error), error_id: randomUUID().replace(/-/g, '') })
  }

  private async body(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    if (text.trim() === '') throw validationError(['body'], 'Field required', 'missing')
    try {
      return JSON.parse(text) as unknown
    } catch (error) {
      throw new HttpError(422, [{ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {}, ctx: { error: error instanceof Error ? error.message : String(error) } }])
    }
  }

  private conversation(rawId: string, eventRoute: boolean): Conversation {
    const id = normalizeUuid(rawId)
    if (id === null) throw validationError(['path', 'conversation_id'], `Input should be a valid UUID, invalid character: expected an optional prefix of \`urn:uuid:\` followed by [0-9a-fA-F-], found \`${rawId.slice(0, 1)}\` at 1`, 'uuid_parsing', rawId)
    const conversation = this.conversations.get(id)
    if (conversation === undefined) throw eventRoute ? httpError(404, `Conversation not found: ${id}`) : httpError(404)
    return conversation
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const path = url.pathname.replace(/\/+$/, '') || '/'
    const method = req.method ?? 'GET'
    const segments = path.split('/').filter((segment) => segment !== '').map(decodeURIComponent)

    // server_details_router.py: no auth
    if (method === 'GET' && (path === '/alive' || path === '/health')) return this.send(res, 200, { status: 'ok' })
    if (method === 'GET' && path === '/ready') return this.ready ? this.send(res, 200, { status: 'ready' }) : this.send(res, 503, { status: 'initializing', message: 'Server is still initializing' })
    if (method === 'GET' && (path === '/server_info' || path === '/')) return this.send(res, 200, this.serverInfo())

    if (segments[0] !== 'api') throw httpError(404)
    // api.py: check_session_api_key on every /api route, then the conversation service (dependencies.py)
    const key = req.headers['x-session-api-key']
    if (!this.authorized(Array.isArray(key) ? key[0] : key)) throw httpError(401)
    if (!this.ready) throw httpError(503, 'Conversation service is not available')
    this.lastEventTime = Date.now()

    if (segments[1] !== 'conversations') throw httpError(404)
    const [, , idPart, sub, third] = segments
    // conversation_router.py
    if (idPart === undefined) {
      if (method === 'POST') return this.startConversation(req, res)
      if (method === 'GET') return this.batchGet(url, res)
      throw httpError(405)
    }
    if (idPart === 'search' && sub === undefined) {
      if (method !== 'GET') throw httpError(405)
      return this.searchConversations(url, res)
    }
    if (idPart === 'count' && sub === undefined) {
      if (method !== 'GET') throw httpError(405)
      const status = url.searchParams.get('status')
      return this.send(res, 200, [...this.conversations.values()].filter((c) => status === null || c.status === status).length)
    }
    if (sub === undefined) {
      if (method === 'GET') return this.send(res, 200, this.conversation(idPart, false).info())
      if (method === 'DELETE') return this.deleteConversation(idPart, res)
      throw httpError(405)
    }
    if (sub === 'events') return this.eventRoute(req, res, url, idPart, third, method)
    if (third !== undefined) throw httpError(404)
    if (sub === 'run') {
      if (method !== 'POST') throw httpError(405)
      const conversation = this.conversation(idPart, false)
      try {
        conversation.startRun()
      } catch (error) {
        if (error instanceof Error && error.message === 'conversation_already_running') throw httpError(409, 'Conversation already running. Wait for completion or pause first.')
        throw httpError(400, error instanceof Error ? error.message : String(error))
      }
      return this.send(res, 200, { success: true })
    }
    if (sub === 'pause' || sub === 'interrupt') {
      if (method !== 'POST') throw httpError(405)
      const id = normalizeUuid(idPart)
      const conversation = id === null ? undefined : this.conversations.get(id)
      if (id === null) this.conversation(idPart, false)
      if (conversation === undefined) throw httpError(400)
      if (sub === 'pause') {
        conversation.rerunRequested = false
        conversation.pause()
        conversation.publish(conversation.fullStateEvent())
      } else await conversation.interrupt()
      return this.send(res, 200, { success: true })
    }
    if (sub === 'agent_final_response') {
      if (method !== 'GET') throw httpError(405)
      return this.send(res, 200, { response: finalResponse(this.conversation(idPart, false).events) })
    }
    throw httpError(404)
  }

  private serverInfo(): JsonObject {
    const now = Date.now()
    return {
      uptime: Math.floor((now - this.startTime) / 1000),
      idle_time: Math.floor((now - this.lastEventTime) / 1000),
      title: 'OpenHands Agent Server',
      version: 'fake',
      sdk_version: 'fake',
      tools_version: 'fake',
      workspace_version: 'fake',
      build_git_sha: 'unknown',
      build_git_ref: 'unknown',
      python_version: `node ${process.version}`,
      usable_tools: ['terminal', 'finish'],
      runtime_idle_timeout_seconds: null,
      capabilities: [],
      max_foreground_terminal_timeout_seconds: null,
      docs: '/docs',
      redoc: '/redoc',
    }
  }

  /** POST /api/conversations (StartConversationRequest → ConversationInfo, 201). */
  private async startConversation(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await this.body(req)
    if (!isObject(body)) throw validationError(['body'], 'Input should be a valid dictionary or object to extract fields from', 'model_attributes_type', body)
    const requestedId = body.conversation_id
    if (requestedId !== undefined && requestedId !== null) {
      const id = typeof requestedId === 'string' ? normalizeUuid(requestedId) : null
      if (id === null) throw validationError(['body', 'conversation_id'], 'Input should be a valid UUID', 'uuid_parsing', requestedId)
      const existing = this.conversations.get(id)
      if (existing !== undefined) return this.send(res, 200, existing.info())
    }
    const agent = body.agent
    if (!isObject(agent)) throw validationError(['body', 'agent'], 'Field required', 'missing')
    const llm = agent.llm
    if (!isObject(llm)) throw validationError(['body', 'agent', 'Agent', 'llm'], 'Field required', 'missing')
    if (typeof llm.model !== 'string' || llm.model === '') throw validationError(['body', 'agent', 'Agent', 'llm', 'model'], 'Field required', 'missing')
    const workspace = body.workspace
    if (!isObject(workspace) || typeof workspace.working_dir !== 'string' || workspace.working_dir === '') throw validationError(['body', 'workspace', 'working_dir'], 'Field required', 'missing')
    const maxIterations = body.max_iterations === undefined ? 500 : body.max_iterations
    if (typeof maxIterations !== 'number' || !Number.isInteger(maxIterations) || maxIterations < 1) throw validationError(['body', 'max_iterations'], 'Input should be greater than or equal to 1', 'greater_than_equal', maxIterations)
    const clientTools: ClientToolSpec[] = []
    const seen = new Set<string>()
    for (const [index, raw] of (Array.isArray(body.client_tools) ? body.client_tools : []).entries()) {
      if (!isObject(raw) || typeof raw.name !== 'string' || typeof raw.description !== 'string') throw validationError(['body', 'client_tools', index], 'name and description are required', 'missing')
      const parameters = raw.parameters === undefined ? { type: 'object', properties: {} } : raw.parameters
      if (!isObject(parameters) || parameters.type !== 'object') {
        throw validationError(['body', 'client_tools', index, 'parameters'], `Value error, ClientToolSpec.parameters must be an object JSON Schema (got type=${isObject(parameters) ? pyJsonDumps(parameters.type ?? null) : 'None'}).`, 'value_error', parameters)
      }
      // client_tool.py register_client_tools: names are unique and may not shadow built-in tools
      if (seen.has(raw.name)) throw httpError(422, `Duplicate client tool name '${raw.name}' in one registration request. Client tool names must be unique.`)
      if (raw.name === 'terminal' || raw.name === 'finish') throw httpError(422, `Client tool name '${raw.name}' collides with an existing non-client tool. Choose a unique client tool name.`)
      seen.add(raw.name)
      clientTools.push({ name: raw.name, description: raw.description, parameters, ...(isObject(raw.annotations) ? { annotations: raw.annotations } : {}) })
    }
    const workingDir = workspace.working_dir
    try {
      mkdirSync(workingDir, { recursive: true })
    } catch (error) {
      throw httpError(400, `cannot create working_dir ${workingDir}: ${error instanceof Error ? error.message : String(error)}`)
    }
    ensureGitRepo(workingDir)
    const numRetries = typeof llm.num_retries === 'number' && llm.num_retries >= 0 ? Math.floor(llm.num_retries) : 2
    const timeoutSeconds = typeof llm.timeout === 'number' && llm.timeout >= 0 ? llm.timeout : 300
    const llmConfig: LlmConfig = {
      model: llm.model,
      baseUrl: typeof llm.base_url === 'string' && llm.base_url !== '' ? llm.base_url : 'https://api.openai.com/v1',
      apiKey: typeof llm.api_key === 'string' && llm.api_key !== '' ? llm.api_key : null,
      usageId: typeof llm.usage_id === 'string' && llm.usage_id !== '' ? llm.usage_id : 'default',
      timeoutMs: timeoutSeconds * 1000,
      numRetries,
    }
    const additions = isObject(body.agent_launch_additions) ? body.agent_launch_additions : {}
    const context = isObject(agent.agent_context) ? agent.agent_context : {}
    const systemPrompt = [
      typeof agent.system_prompt === 'string' && agent.system_prompt !== '' ? agent.system_prompt : 'You are OpenHands agent, a helpful AI assistant that can interact with a computer to solve tasks. (fake agent server)',
      typeof context.system_message_suffix === 'string' ? context.system_message_suffix : '',
      typeof additions.system_message_suffix_append === 'string' ? additions.system_message_suffix_append : '',
    ]
      .filter((part) => part !== '')
      .join('\n\n')
    const id = typeof requestedId === 'string' ? (normalizeUuid(requestedId) as string) : randomUUID()
    const conversation = new Conversation(
      id,
      agent,
      llmConfig,
      workingDir,
      maxIterations,
      body.stuck_detection !== false,
      clientTools,
      isObject(body.tags) ? body.tags : {},
      isObject(body.confirmation_policy) ? body.confirmation_policy : { kind: 'NeverConfirm' },
      systemPrompt,
      this,
    )
    this.conversations.set(id, conversation)
    // conversation_service.start_conversation: the initial message is sent with run=True
    const initial = body.initial_message
    if (isObject(initial)) conversation.sendMessage(typeof initial.role === 'string' ? initial.role : 'user', messageContent(initial.content), true)
    this.send(res, 201, conversation.info())
  }

  private batchGet(url: URL, res: ServerResponse): void {
    const ids = url.searchParams.getAll('ids')
    if (ids.length === 0) throw validationError(['query', 'ids'], 'Field required', 'missing')
    this.send(
      res,
      200,
      ids.map((raw) => {
        const id = normalizeUuid(raw)
        if (id === null) throw validationError(['query', 'ids'], 'Input should be a valid UUID', 'uuid_parsing', raw)
        return this.conversations.get(id)?.info() ?? null
      }),
    )
  }

  private searchConversations(url: URL, res: ServerResponse): void {
    const limit = queryLimit(url)
    const status = url.searchParams.get('status')
    if (status !== null && !EXECUTION_STATUSES.has(status)) throw validationError(['query', 'status'], 'Input should be a valid execution status', 'enum', status)
    const sort = url.searchParams.get('sort_order') ?? 'CREATED_AT_DESC'
    let items = [...this.conversations.values()].filter((c) => status === null || c.status === status)
    const key = (c: Conversation): number => (sort.startsWith('UPDATED_AT') ? c.updatedAt.getTime() : c.createdAt.getTime())
    items.sort((a, b) => (sort.endsWith('_DESC') ? key(b) - key(a) : key(a) - key(b)))
    const pageId = url.searchParams.get('page_id')
    if (pageId !== null) {
      const start = items.findIndex((c) => c.id.replace(/-/g, '') === pageId.replace(/-/g, ''))
      if (start > 0) items = items.slice(start)
    }
    const page = items.slice(0, limit)
    const next = items[limit]
    this.send(res, 200, { items: page.map((c) => c.info()), next_page_id: next === undefined ? null : next.id.replace(/-/g, '') })
  }

  private async deleteConversation(idPart: string, res: ServerResponse): Promise<void> {
    const id = normalizeUuid(idPart)
    if (id === null) this.conversation(idPart, false)
    const conversation = this.conversations.get(id as string)
    if (conversation === undefined) throw httpError(400)
    this.conversations.delete(conversation.id)
    await conversation.close()
    this.send(res, 200, { success: true })
  }

  /** event_router.py: /api/conversations/{id}/events[/search|/count|/{event_id}]. */
  private async eventRoute(req: IncomingMessage, res: ServerResponse, url: URL, idPart: string, third: string | undefined, method: string): Promise<void> {
    const conversation = this.conversation(idPart, true)
    if (third === undefined) {
      if (method === 'POST') {
        const body = await this.body(req)
        if (!isObject(body)) throw validationError(['body'], 'Input should be a valid dictionary', 'model_attributes_type', body)
        const role = body.role === undefined ? 'user' : body.role
        if (typeof role !== 'string' || !['user', 'system', 'assistant', 'tool'].includes(role)) throw validationError(['body', 'role'], "Input should be 'user', 'system', 'assistant' or 'tool'", 'literal_error', role)
        conversation.sendMessage(role, messageContent(body.content), body.run === true)
        return this.send(res, 200, { success: true })
      }
      if (method === 'GET') {
        const ids = url.searchParams.getAll('event_ids')
        return this.send(
          res,
          200,
          ids.map((id) => conversation.getEvent(id) ?? null),
        )
      }
      throw httpError(405)
    }
    if (method !== 'GET') throw httpError(405)
    if (third === 'search' || third === 'count') {
      const filters = eventFilters(url)
      const matches = (event: OhEvent): boolean =>
        (filters.kind === null || `${EVENT_MODULES[event.kind] ?? 'openhands.sdk.event'}.${event.kind}` === filters.kind) &&
        (filters.source === null || event.source === filters.source) &&
        (filters.gte === null || event.timestamp >= filters.gte) &&
        (filters.lt === null || event.timestamp < filters.lt) &&
        (filters.body === null || messageText(event).toLowerCase().includes(filters.body.toLowerCase()))
      if (third === 'count') return this.send(res, 200, conversation.events.filter(matches).length)
      const limit = queryLimit(url)
      const sort = url.searchParams.get('sort_order') ?? 'TIMESTAMP'
      if (sort !== 'TIMESTAMP' && sort !== 'TIMESTAMP_DESC') throw validationError(['query', 'sort_order'], "Input should be 'TIMESTAMP' or 'TIMESTAMP_DESC'", 'enum', sort)
      const reverse = sort === 'TIMESTAMP_DESC'
      const events = conversation.events
      const pageId = url.searchParams.get('page_id')
      let start = reverse ? events.length - 1 : 0
      if (pageId) {
        const index = events.findIndex((event) => event.id === pageId)
        if (index !== -1) start = index
      }
      const items: OhEvent[] = []
      let next: string | null = null
      for (let i = start; reverse ? i >= 0 : i < events.length; i += reverse ? -1 : 1) {
        const event = events[i] as OhEvent
        if (!matches(event)) continue
        if (items.length >= limit) {
          next = event.id
          break
        }
        items.push(event)
      }
      return this.send(res, 200, { items, next_page_id: next })
    }
    const event = conversation.getEvent(third)
    if (event === undefined) throw httpError(404)
    this.send(res, 200, event)
  }

  // --- WebSocket: sockets.py ------------------------------------------------------------------

  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const match = /^\/sockets\/events\/([^/]+)\/?$/.exec(url.pathname)
    const reject = (status: number, phrase: string): void => {
      socket.end(`HTTP/1.1 ${status} ${phrase}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`)
    }
    // starlette refuses a websocket route it does not know, or a bad path parameter, with 403
    if (match === null || normalizeUuid(decodeURIComponent(match[1] as string)) === null) return reject(403, 'Forbidden')
    const resendMode = url.searchParams.get('resend_mode')
    const afterRaw = url.searchParams.get('after_timestamp')
    if ((resendMode !== null && resendMode !== 'all' && resendMode !== 'since') || (afterRaw !== null && normalizeDatetimeParam(afterRaw) === null)) return reject(403, 'Forbidden')
    const queryKey = url.searchParams.get('session_api_key')
    const headerKey = req.headers['x-session-api-key']
    const legacyKey = queryKey ?? (Array.isArray(headerKey) ? headerKey[0] : headerKey) ?? null
    // _accept_authenticated_websocket: a wrong legacy key is refused before the handshake completes
    if (this.config.sessionKeys.length > 0 && legacyKey !== null && !this.config.sessionKeys.includes(legacyKey)) return reject(403, 'Forbidden')
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const needsFirstMessageAuth = this.config.sessionKeys.length > 0 && legacyKey === null
      const conversationId = normalizeUuid(decodeURIComponent(match[1] as string)) as string
      const options = { resendMode, after: afterRaw === null ? null : normalizeDatetimeParam(afterRaw), resendAll: url.searchParams.get('resend_all') === 'true' }
      if (!needsFirstMessageAuth) return this.eventsSocket(ws, conversationId, options)
      const timer = setTimeout(() => ws.close(4001, 'Authentication failed'), 10_000)
      ws.once('message', (data, isBinary) => {
        clearTimeout(timer)
        let frame: unknown
        try {
          frame = JSON.parse(isBinary ? '' : rawText(data))
        } catch {
          frame = null
        }
        if (!isObject(frame) || frame.type !== 'auth' || typeof frame.session_api_key !== 'string' || !this.config.sessionKeys.includes(frame.session_api_key)) {
          ws.close(4001, 'Authentication failed')
          return
        }
        this.eventsSocket(ws, conversationId, options)
      })
      ws.once('close', () => clearTimeout(timer))
    })
  }

  /** events_socket: initial state, resend (all | since), then live events; inbound frames are messages. */
  private eventsSocket(ws: WebSocket, conversationId: string, options: { resendMode: string | null; after: string | null; resendAll: boolean }): void {
    const conversation = this.conversations.get(conversationId)
    if (conversation === undefined) {
      ws.close(4004, 'Conversation not found')
      return
    }
    const config = this.config
    let sent = 0
    let dropping = false
    const subscriber: Subscriber = {
      send(event: OhEvent): void {
        if (dropping || ws.readyState !== ws.OPEN) return
        sent++
        const drop = config.dropWsAfter > 0 && sent >= config.dropWsAfter && conversation.socketDrops < config.dropWsTimes
        if (!drop) {
          ws.send(JSON.stringify(event))
          return
        }
        dropping = true
        conversation.socketDrops++
        conversation.subscribers.delete(subscriber)
        ws.send(JSON.stringify(event), () => ws.terminate())
      },
    }
    // subscribe_to_events: the current state goes to the new subscriber first
    subscriber.send(conversation.fullStateEvent())
    const mode = options.resendMode ?? (options.resendAll ? 'all' : null)
    if (mode === 'all') for (const event of conversation.events) subscriber.send(event)
    else if (mode === 'since' && options.after !== null) for (const event of conversation.events) if (event.timestamp >= options.after) subscriber.send(event)
    if (!dropping) conversation.subscribers.add(subscriber)
    ws.on('close', () => conversation.subscribers.delete(subscriber))
    ws.on('error', () => conversation.subscribers.delete(subscriber))
    ws.on('message', (data, isBinary) => {
      let frame: unknown
      try {
        frame = JSON.parse(rawText(data))
      } catch (error) {
        return sendServerError(ws, 'JSONDecodeError', error instanceof Error ? error.message : String(error))
      }
      if (isObject(frame) && frame.type === 'auth' && Object.keys(frame).every((key) => key === 'type' || key === 'session_api_key')) return
      try {
        if (!isObject(frame)) throw new Error('Input should be a valid dictionary or instance of Message')
        const role = frame.role
        if (typeof role !== 'string' || !['user', 'system', 'assistant', 'tool'].includes(role)) throw new Error("role: Input should be 'user', 'system', 'assistant' or 'tool'")
        if (role !== 'user') throw new Error('Only user messages are allowed to be sent to the agent.')
        conversation.sendMessage(role, messageContent(frame.content), true)
      } catch (error) {
        sendServerError(ws, error instanceof Error && error.message.startsWith('Only user') ? 'AssertionError' : error instanceof Error && error.message === 'inactive_service' ? 'ValueError' : 'ValidationError', error instanceof Error ? error.message : String(error))
      }
    })
  }
}

function rawText(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8')
}

/** models.py ServerErrorEvent, sent to the socket only. */
function sendServerError(ws: WebSocket, code: string, detail: string): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(makeEvent('ServerErrorEvent', 'environment', { code, detail })))
}

/** SendMessageRequest.content: TextContent / ImageContent items (a string becomes one TextContent). */
function messageContent(raw: unknown): JsonObject[] {
  if (typeof raw === 'string') return [textContent(raw)]
  if (!Array.isArray(raw)) return []
  return raw.filter(isObject).map((part) => (part.type === 'image' ? { cache_prompt: part.cache_prompt === true, type: 'image', image_urls: Array.isArray(part.image_urls) ? part.image_urls : [] } : { cache_prompt: part.cache_prompt === true, type: 'text', text: String(part.text ?? '') }))
}

function messageText(event: OhEvent): string {
  if (event.kind !== 'MessageEvent') return ''
  const llm = isObject(event.llm_message) ? event.llm_message : {}
  const parts = [...(Array.isArray(llm.content) ? llm.content : []), ...(Array.isArray(event.extended_content) ? event.extended_content : [])]
  return parts.map((part) => (isObject(part) && typeof part.text === 'string' ? part.text : '')).join(' ')
}

/** response_utils.py get_agent_final_response. */
function finalResponse(events: OhEvent[]): string {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i] as OhEvent
    if (event.kind === 'ActionEvent' && event.source === 'agent' && event.tool_name === 'finish') {
      return isObject(event.action) && typeof event.action.message === 'string' ? event.action.message : ''
    }
    if (event.kind === 'MessageEvent' && event.source === 'agent') {
      const llm = isObject(event.llm_message) ? event.llm_message : {}
      return (Array.isArray(llm.content) ? llm.content : []).map((part) => (isObject(part) && typeof part.text === 'string' ? part.text : '')).join('')
    }
  }
  return ''
}

function queryLimit(url: URL): number {
  const raw = url.searchParams.get('limit')
  if (raw === null) return 100
  const limit = Number(raw)
  if (!Number.isInteger(limit)) throw validationError(['query', 'limit'], 'Input should be a valid integer', 'int_parsing', raw)
  if (limit <= 0 || limit > 100) throw validationError(['query', 'limit'], limit <= 0 ? 'Input should be greater than 0' : 'Input should be less than or equal to 100', limit <= 0 ? 'greater_than' : 'less_than_equal', raw)
  return limit
}

function eventFilters(url: URL): { kind: string | null; source: string | null; body: string | null; gte: string | null; lt: string | null } {
  const datetime = (name: string): string | null => {
    const raw = url.searchParams.get(name)
    if (raw === null) return null
    const normalized = normalizeDatetimeParam(raw)
    if (normalized === null) throw validationError(['query', name], 'Input should be a valid datetime', 'datetime_from_date_parsing', raw)
    return normalized
  }
  return { kind: url.searchParams.get('kind'), source: url.searchParams.get('source'), body: url.searchParams.get('body'), gte: datetime('timestamp__gte'), lt: datetime('timestamp__lt') }
}

/** EventService._ensure_workspace_is_git_repo: `git init` when the workspace is not a repository (best effort). */
function ensureGitRepo(dir: string): void {
  try {
    if (!statSync(dir).isDirectory()) return
    const inside = spawnSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd: dir, stdio: 'ignore', timeout: 10_000 })
    if (inside.status === 0) return
    spawnSync('git', ['init', '-q'], { cwd: dir, stdio: 'ignore', timeout: 10_000 })
  } catch {
    // git missing: the real server only logs a warning too
  }
}

// ---------------------------------------------------------------------------------------------
// main (__main__.py)
// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const config = parseConfig(process.argv.slice(2), process.env)
  const server = new FakeAgentServer(config)
  let port: number
  try {
    port = await server.listen()
  } catch (error) {
    process.stderr.write(`fake openhands agent server: cannot listen on ${config.host}:${config.port}: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  }
  process.stdout.write(`Starting OpenHands Agent Server on ${config.host}:${port}\n`)
  process.stdout.write(`INFO:     Uvicorn running on http://${config.host}:${port} (Press CTRL+C to quit)\n`)
  let stopping = false
  const stop = (): void => {
    if (stopping) return
    stopping = true
    const timer = setTimeout(() => process.exit(0), 3000)
    timer.unref()
    server.close().then(
      () => process.exit(0),
      () => process.exit(0),
    )
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

main().catch((error: unknown) => {
  process.stderr.write(`fake openhands agent server: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})
