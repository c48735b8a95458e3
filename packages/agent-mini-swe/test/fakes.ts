import { CONFIG_DEFAULTS } from '@cooperbench/config'
import { agentLimitsFor } from '@cooperbench/core/runner'
import {
  type AgentLimits,
  type AgentRunContext,
  type ExecOptions,
  type ExecResult,
  type Mailbox,
  NO_COORDINATION,
  type Sandbox,
  type Task,
} from '@cooperbench/spec'
import { silentLogger } from '@cooperbench/spec-utils'
import { type ConformanceFixture, createConformanceFixture, localTestSandboxes } from '@cooperbench/testkit'
import { afterAll, beforeAll } from 'vitest'
import { MiniSweAgent } from '../src/agent/mini-swe-agent.js'
import type { ChatModel, ModelResponse, ToolCall, Usage } from '../src/llm/index.js'
import { parseOptions } from '../src/agent/options.js'
import { readAgentConfig } from '../src/agent/agent-config.js'

type Request = Parameters<ChatModel['complete']>[0]

/** One scripted reply, or a function of the request that produces one. */
export type Reply = ModelResponse | Error | ((request: Request) => ModelResponse | Promise<ModelResponse>)

let callIds = 0

/** A reply with one call of the bash tool per command. */
export function bash(commands: string | string[], options: { cost?: number | null; usage?: Partial<Usage>; text?: string } = {}): ModelResponse {
  const calls = (Array.isArray(commands) ? commands : [commands]).map((command) => toolCall('bash', JSON.stringify({ command })))
  return reply(calls, options)
}

export function toolCall(name: string, args: string): ToolCall {
  return { id: `call_${++callIds}`, name, arguments: args }
}

/** A reply with the given tool calls (none = a format error). */
export function reply(toolCalls: ToolCall[], options: { cost?: number | null; usage?: Partial<Usage>; text?: string } = {}): ModelResponse {
  return {
    text: options.text ?? 'Thinking about it.',
    toolCalls,
    usage: { inputTokens: 100, outputTokens: 10, cacheReadTokens: 0, cacheWriteTokens: 0, ...options.usage },
    cost: options.cost === undefined ? 0.01 : options.cost,
    raw: { id: 'resp' },
  }
}

export const SUBMIT = 'echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT'
/** What the submit command prints. */
export const SUBMITTED = { stdout: 'COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT\n' }

/** A chat model that plays a script and records every request it got. */
export function scriptedModel(script: Reply[]): ChatModel & { requests: Request[] } {
  const requests: Request[] = []
  return {
    id: 'fake/model',
    requests,
    async complete(request) {
      requests.push(structuredClone({ ...request, signal: undefined }))
      const next = script.shift()
      if (next === undefined) throw new Error('the model script is exhausted')
      if (next instanceof Error) throw next
      return typeof next === 'function' ? next(request) : next
    },
  }
}

export type ExecHandler = (command: string, options: ExecOptions) => Partial<ExecResult> | Promise<Partial<ExecResult>>

/** A sandbox that records commands; by default it echoes the submit marker and prints nothing else. */
export function fakeSandbox(handler?: ExecHandler): Sandbox & { commands: string[]; options: ExecOptions[] } {
  const commands: string[] = []
  const options: ExecOptions[] = []
  return {
    id: 'fake-sandbox',
    commands,
    options,
    async exec(command, execOptions = {}) {
      const text = typeof command === 'string' ? command : command.join(' ')
      commands.push(text)
      options.push(execOptions)
      const result = handler ? await handler(text, execOptions) : text === SUBMIT ? SUBMITTED : {}
      return { exitCode: 0, stdout: '', stderr: '', timedOut: false, truncated: false, durationMs: 1, ...result }
    },
    async writeFile() {},
    async readFile() {
      return new Uint8Array()
    },
    async terminate() {},
  }
}

/** A sandbox whose commands run until they are aborted, then report the kill as the contract says. */
export function hangingSandbox() {
  return fakeSandbox(
    (_command, options) => new Promise((resolve) => options.signal?.addEventListener('abort', () => resolve({ exitCode: -1, timedOut: true }), { once: true })),
  )
}

/** A task of no dataset: what a run context names when the sandbox is a fake. */
export const task: Task = {
  repo: 'demo_task',
  taskId: 1,
  dir: '/nonexistent',
  features: [{ id: 1, dir: '/nonexistent/feature1' }],
  source: { url: null, bundlePath: null, baseCommit: null },
  manifest: null,
}

/**
 * The limits the harness gives an agent with these options (`ctx.limits`), decided as `planRun`
 * does: the run's explicit `stepLimit` / `costLimit`, else the registration's `ownLimits`, else
 * the run's defaults.
 */
export function harnessLimits(options: Record<string, unknown> = {}, run: { stepLimit?: number; costLimit?: number } = {}): AgentLimits {
  const config = { ...CONFIG_DEFAULTS, ...run }
  const layers = { stepLimit: run.stepLimit === undefined ? 'default' : 'flags', costLimit: run.costLimit === undefined ? 'default' : 'flags' }
  return agentLimitsFor(config, layers, readAgentConfig(options).ownLimits)
}

/** A run context with a recorder that keeps every save; its limits are the harness's for its options. */
export function runContext(overrides: Partial<AgentRunContext> = {}): AgentRunContext & { saves: unknown[][] } {
  const saves: unknown[][] = []
  return {
    agentId: 'solo',
    featureIds: [1],
    instructions: 'Add a --verbose flag to the CLI.',
    task,
    sandbox: fakeSandbox(),
    peers: [],
    mailbox: null,
    git: null,
    coordination: NO_COORDINATION,
    model: 'fake/model',
    options: {},
    recorder: {
      async save(messages) {
        saves.push(structuredClone(messages))
      },
    },
    logger: silentLogger,
    signal: new AbortController().signal,
    saves,
    ...overrides,
    limits: overrides.limits ?? harnessLimits(overrides.options),
  }
}

/** The agent under test with a scripted model; `options` as a user would write them. */
export function agentWith(model: ChatModel, options: Record<string, unknown> = {}, replyTimeoutMs = 60_000): MiniSweAgent {
  return new MiniSweAgent(parseOptions(options), { createModel: () => model, replyTimeoutMs })
}

/** A coop context for `agentId` on an open mailbox. */
export function coopContext(mailbox: Mailbox, overrides: Partial<AgentRunContext> = {}) {
  return runContext({ agentId: mailbox.agentId, peers: [...mailbox.peers], mailbox, ...overrides })
}

/** Contents of the messages the model saw in one request. */
export function contents(request: Request | undefined): string[] {
  return (request?.messages ?? []).map((m) => m.content)
}

/**
 * Real local sandboxes of the testkit's fixture task for the calling test file: the fixture is made
 * before its tests and removed with the sandboxes after them (hooks of that file, called from its
 * top level). `skip` says why there are none (no bubblewrap outside CI).
 */
export function fixtureSandboxes(): { skip: string | false; create(): Promise<Sandbox> } {
  const sandboxes = localTestSandboxes()
  let fixture: ConformanceFixture | undefined
  beforeAll(async () => {
    if (!sandboxes.skip) fixture = await createConformanceFixture()
  })
  afterAll(async () => {
    await sandboxes.close()
    await fixture?.cleanup()
  })
  return { skip: sandboxes.skip, create: () => sandboxes.create(fixture!.task) }
}
