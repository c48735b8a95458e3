import type { ChatModel, ModelResponse } from '@cooperbench/agent-mini-swe'
import { type AgentRunContext, type ExecOptions, type ExecResult, NO_COORDINATION, type Sandbox } from '@cooperbench/spec'
import { silentLogger } from '@cooperbench/spec-utils'
import { SweAgent } from '../../src/index.js'
// mini_swe_agent's scripted chat model and replies: the same model client runs both agents.
import { task, reply as withCalls, scriptedModel, toolCall } from '../../../agent-mini-swe/test/fakes.js'

export { scriptedModel }

/** A reply with these tool calls (arguments as an object, or a string sent as is); none is a reply without a tool call. */
export function reply(calls: Array<[string, Record<string, unknown> | string]>, options: { cost?: number | null; text?: string } = {}): ModelResponse {
  return withCalls(
    calls.map(([name, args]) => toolCall(name, typeof args === 'string' ? args : JSON.stringify(args))),
    options,
  )
}

export const call = (name: string, args: Record<string, unknown> | string = {}, options: { cost?: number | null; text?: string } = {}) =>
  reply([[name, args]], options)

/** HEAD of the fake sandbox's repository once the session started. */
export const BASE_COMMIT = 'b'.repeat(40)

/** What a command in the fake session prints. */
export type SessionAnswer = Partial<Pick<ExecResult, 'stdout' | 'exitCode' | 'timedOut'>>

/**
 * A sandbox playing SWE-agent's session: `/root` writable, the tools installed, each command (the
 * session's stdin) answered by `answer`, the state `{"working_dir": "/workspace/repo"}` after it;
 * `files` is what `readFile` finds (`/root/model.patch`); `probe` what the image has (missing programs).
 * `inputs` records every command sent.
 */
export function fakeSandbox(
  answer: (command: string) => SessionAnswer = () => ({}),
  files: Record<string, string> = {},
  probe = 'root-writable\n',
): Sandbox & { inputs: string[] } {
  const inputs: string[] = []
  return {
    id: 'fake',
    inputs,
    async exec(command, options: ExecOptions = {}) {
      const argv = typeof command === 'string' ? ['bash', '-lc', command] : command
      const input = options.stdin === undefined ? argv.join(' ') : String(options.stdin)
      inputs.push(input)
      const base = { exitCode: 0, stdout: '', stderr: '', timedOut: false, truncated: false, durationMs: 1 }
      if (argv.at(3) === 'probe') return { ...base, stdout: probe }
      // The adapter's base commit and its diff, written where `files` has it.
      if (argv.at(2) === 'git rev-parse HEAD') return { ...base, stdout: `${BASE_COMMIT}\n` }
      if (argv.at(2)?.startsWith(`git add -A && git diff ${BASE_COMMIT} > `)) {
        const diff = files[argv[2].split(' > ')[1]!.split(' ')[0]!]
        return diff === undefined ? { ...base, exitCode: 1 } : { ...base, stdout: `${Buffer.byteLength(diff)}\n` }
      }
      if (argv.at(3) !== 'swe-agent-session') return base
      const answered = input.includes("git config --global user.name 'CooperBench Agent'") ? {} : answer(input)
      return { ...base, stderr: answered.timedOut ? '' : '{"working_dir": "/workspace/repo"}', ...answered }
    },
    async writeFile() {},
    async writeFiles() {},
    async readFile(path) {
      if (files[path] === undefined) throw new Error(`no file ${path}`)
      return new TextEncoder().encode(files[path])
    },
    async terminate() {},
  }
}

/** A solo run context on upstream's options; limits: none unless given. */
export function runContext(options: Record<string, unknown>, overrides: Partial<AgentRunContext> = {}): AgentRunContext {
  return {
    agentId: 'solo',
    featureIds: [1],
    instructions: 'Add a `--verbose` flag to the CLI.',
    task,
    sandbox: fakeSandbox(),
    peers: [],
    mailbox: null,
    git: null,
    coordination: NO_COORDINATION,
    model: 'openai/gpt-4o',
    options,
    limits: { steps: 0, costUsd: 0, wallClockSeconds: null },
    recorder: { async save() {} },
    logger: silentLogger,
    signal: new AbortController().signal,
    ...overrides,
  }
}

/** The agent with a scripted model. */
export const agentWith = (model: ChatModel) => new SweAgent({ createModel: () => model })
