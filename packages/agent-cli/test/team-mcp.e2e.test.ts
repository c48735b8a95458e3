import { join } from 'node:path'
import {
  type AnthropicMessagesBody,
  anthropicRequestTexts,
  type ChatCompletionRequestBody,
  type ResponsesBody,
  responsesRequestTexts,
  startScriptedAnthropicServer,
  startScriptedLlmServer,
  startScriptedResponsesServer,
} from '@cooperbench/testkit'
import { beforeAll, describe, expect, it } from 'vitest'
import { type FeatureRef, featureIndex } from '../../cli/test/e2e/gold-features.js'
import { describeResult, pairDirs, readJson, requireLocalBackend, runCli } from '../../cli/test/e2e/helpers.js'
import { type CliProfile, claudeCodeProfile, codexProfile, qwenCodeProfile } from '../src/index.js'
import { cliAgentWorkdir, hostBinaryOrFailInCi, scriptedPairArgs } from './support/cli-e2e.js'
import type { AgentRecord, ConversationMessage } from './support/coop-checks.js'
import type { ShellCall } from './support/gold-model.js'
import { claudeCodeShell, codexShell, qwenCodeShell } from './support/shell-calls.js'
import { MEMBER_MESSAGE, type OfferedTool, offeredTools, type TeamModelView, teamMcpModel, toolLabel, waitToolOf } from './support/team-mcp-model.js'

/**
 * The team setting's `wait_for_message` MCP tool with the real Claude Code, Codex and Qwen Code
 * CLIs from npm, through `cooperbench run --setting team` on the local backend against their scripted model
 * servers (teamMcpModel): every request of both agents offers the tool, the prompt names it, the
 * sandbox has the server and its registration, and the lead's call returns the message its member
 * sent while it waited. How each CLI takes the server and offers the tool is its own, so every CLI
 * runs it.
 *
 * With --team-no-mcp the agent writes neither the server nor any CLI's registration and names no
 * such tool: the same code for every CLI (cli-agent.ts), checked for each profile in
 * coordination.test.ts ("the wait_for_message server and its registration..."), and with a real
 * CLI by codex's conformance suite ("with --team-no-mcp, it submits, and nothing it shows its model
 * names what the team does not have"); the flag's mapping is checked in cli/test/unit/team-flags.
 */

/** One model request as the checks read it: whose it is, its assistant turns so far, what it offered and carried. */
interface SeenRequest {
  agent: string
  turns: number
  tools: OfferedTool[]
  texts: string[]
}

/** A CLI's scripted server, driven by the team model; `seen` reads back its requests. */
interface ScriptedCliServer {
  url: string
  seen(): SeenRequest[]
  close(): Promise<void>
}

interface CliUnderTest {
  profile: CliProfile
  model: string
  env: Record<string, string>
  shell: ShellCall
  start(play: (view: TeamModelView) => ReturnType<ReturnType<typeof teamMcpModel>>): Promise<ScriptedCliServer>
  /** The tool as this CLI offers it (toolLabel). */
  toolLabel: string
}

const agentOf = (texts: string[]) => /You are \*\*(agent\d+)\*\*/.exec(texts.join('\n'))?.[1] ?? 'unknown'

function anthropicView(body: AnthropicMessagesBody): TeamModelView {
  return { texts: anthropicRequestTexts(body), tools: offeredTools(body.tools), assistantTurns: body.messages.filter((m) => m.role === 'assistant').length }
}

function responsesView(body: ResponsesBody): TeamModelView {
  const turns = Array.isArray(body.input) ? body.input.filter((item) => item.type === 'function_call' || item.role === 'assistant').length : 0
  return { texts: responsesRequestTexts(body), tools: offeredTools(body.tools), assistantTurns: turns }
}

function chatView(body: ChatCompletionRequestBody): TeamModelView {
  const texts = body.messages.flatMap((m) => (typeof m.content === 'string' ? [m.content] : (m.content ?? []).map((part) => part.text ?? '')))
  return { texts, tools: offeredTools(body.tools), assistantTurns: body.messages.filter((m) => m.role === 'assistant').length }
}

const seenOf = (view: TeamModelView): SeenRequest => ({ agent: agentOf(view.texts), turns: view.assistantTurns, tools: view.tools, texts: view.texts })

const CLIS: Record<string, CliUnderTest> = {
  claude_code: {
    profile: claudeCodeProfile,
    model: 'anthropic/scripted-model',
    env: { ANTHROPIC_API_KEY: 'sk-ant-test-not-a-real-key' },
    shell: claudeCodeShell,
    toolLabel: 'mcp__cooperbench-team__wait_for_message',
    async start(play) {
      const server = await startScriptedAnthropicServer({ script: (request) => play(anthropicView(request.body)) })
      // Side requests (titles, summaries) carry no tools: not the agent's turns.
      const seen = () => server.modelRequests().flatMap((r) => ((r.body.tools?.length ?? 0) > 0 ? [seenOf(anthropicView(r.body))] : []))
      return { url: server.url, seen, close: () => server.close() }
    },
  },
  codex: {
    profile: codexProfile,
    model: 'openai/scripted-model',
    env: { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000' },
    shell: codexShell,
    // Codex groups an MCP server's tools in a `namespace` tool, the server's name made an identifier.
    toolLabel: 'mcp__cooperbench_team/wait_for_message',
    async start(play) {
      const server = await startScriptedResponsesServer({ script: (request) => play(responsesView(request.body)) })
      return { url: server.url, seen: () => server.modelRequests().map((r) => seenOf(responsesView(r.body))), close: () => server.close() }
    },
  },
  qwen_code: {
    profile: qwenCodeProfile,
    model: 'openai/scripted-model',
    env: { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000' },
    shell: qwenCodeShell,
    toolLabel: 'mcp__cooperbench-team__wait_for_message',
    async start(play) {
      const server = await startScriptedLlmServer({ script: (request) => play(chatView(request.body)) })
      // Side requests (titles, summaries) carry no tools: not the agent's turns.
      const seen = () => server.chatRequests().flatMap((r) => ((r.body.tools?.length ?? 0) > 0 ? [seenOf(chatView(r.body))] : []))
      return { url: server.url, seen, close: () => server.close() }
    },
  },
}

let features: FeatureRef[]
beforeAll(async () => {
  features = await featureIndex('textkit_task')
})

/** A team run of the demo pair by `cli`: both agents submit; returns the model's requests and the pair folder. */
async function runTeam(cli: CliUnderTest, name: string): Promise<{ requests: SeenRequest[]; dir: string }> {
  const server = await cli.start(teamMcpModel(features, cli.shell))
  try {
    // The agent's own 2 s polls: the lead's wait returns when its member's message arrives, however
    // long that takes, and a poll is a command in each sandbox (many in a run of a slow CLI).
    const w = await cliAgentWorkdir(name, cli.profile.name, { pollSeconds: 2 })
    const r = await runCli(
      ['run', '-a', cli.profile.name, '--setting', 'team', '-n', name, ...scriptedPairArgs(cli.model, server.url)],
      w.options({ env: cli.env, timeoutMs: 400_000 }),
    )
    expect(r.code, describeResult(r)).toBe(0)
    const [dir] = await pairDirs(w.logs, name, 'team')
    const result = await readJson<{ agents: Record<string, AgentRecord> }>(join(dir!, 'result.json'))
    for (const [id, agent] of Object.entries(result.agents)) expect(agent.status, `${id}: ${String(agent.error)}`).toBe('Submitted')
    return { requests: server.seen(), dir: dir! }
  } finally {
    await server.close()
  }
}

for (const [agent, cli] of Object.entries(CLIS)) {
  const binary = hostBinaryOrFailInCi(cli.profile)
  describe.skipIf(binary === null)(`${agent}: the team's wait_for_message tool with the real binary`, () => {
    it('mcp on: both agents are offered the tool and told of it; the lead’s call returns the message its member sent while it waited', async (ctx) => {
      requireLocalBackend(ctx)
      const { requests, dir } = await runTeam(cli, `${agent}-mcp`)
      const lead = requests.filter((r) => r.agent === 'agent1')
      const member = requests.filter((r) => r.agent === 'agent2')
      expect(lead.length, 'the lead’s requests').toBeGreaterThanOrEqual(4)
      expect(member.length, 'the member’s requests').toBeGreaterThanOrEqual(2)
      for (const request of [...lead, ...member]) {
        const wait = waitToolOf(request.tools)
        expect(wait && toolLabel(wait), `${request.agent} turn ${request.turns}: tools ${request.tools.map(toolLabel).join(', ')}`).toBe(cli.toolLabel)
      }
      expect(lead[0]!.texts.join('\n'), 'the lead’s prompt').toContain('`wait_for_message`')
      expect(member[0]!.texts.join('\n'), 'the member’s prompt').toContain('`wait_for_message`')
      const inspected = lead.find((r) => r.turns === 1)!.texts.join('\n')
      expect(inspected).toMatch(/bin: .*coop-mcp-wait/)
      expect(inspected).toContain('registered: 1')
      // The request after the wait call carries its result: the member's message, as check_messages prints it.
      const afterWait = lead.find((r) => r.turns === 2)!.texts.join('\n')
      expect(afterWait).toContain(`[Message from agent2]: ${MEMBER_MESSAGE}`)
      expect(lead.find((r) => r.turns === 1)!.texts.join('\n')).not.toContain(MEMBER_MESSAGE)
      const conversation = await readJson<ConversationMessage[]>(join(dir, 'conversation.json'))
      expect(conversation.map((m) => `${m.from}>${m.to}: ${m.message}`)).toEqual([`agent2>agent1: ${MEMBER_MESSAGE}`])
    }, 600_000)
  })
}
