/**
 * Records the agent runs the export tests read (packages/report/test/fixtures/agent-runs): one demo
 * coop pair with messaging per agent that needs a program or a server (claude_code, codex,
 * qwen_code with their real CLIs from npm, openhands_sdk with the stand-in agent server), each
 * calling a scripted model, through `cooperbench run` on the local backend. Opt-in
 * (`RECORD_AGENT_RUNS=1 pnpm exec vitest run packages/cli/test/e2e/record-agent-runs.test.ts`):
 * run it again when an agent's trajectory changes, so the fixtures stay what the agents write.
 */
import { cp, mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fakeOpenHandsServerCommand, installFakeOpenHandsServer } from '@cooperbench/standins/openhands-server'
import { anthropicRequestTexts, responsesRequestTexts, startScriptedAnthropicServer, startScriptedResponsesServer } from '@cooperbench/testkit'
import { type RecordedChatMessage, startScriptedLlmServer } from '@cooperbench/testkit/llm-server'
import { describe, expect, it } from 'vitest'
import { goldCliModel } from '../../../agent-cli/test/support/gold-model.js'
import { claudeCodeShell, codexShell, qwenCodeShell } from '../../../agent-cli/test/support/shell-calls.js'
import { featureIndex } from './gold-features.js'
import { DEMO_DATASET, describeResult, makeWorkdir, REPO_ROOT, runCli } from './helpers.js'
import { openhandsGoldModel } from './openhands-support.js'

const FIXTURES = join(REPO_ROOT, 'packages', 'report', 'test', 'fixtures', 'agent-runs')
const PAIR = ['-r', 'textkit_task', '-t', '7', '-f', '1,2', '--dataset-dir', DEMO_DATASET]
const textsOf = (messages: RecordedChatMessage[]) =>
  messages.flatMap((m) => (typeof m.content === 'string' ? [m.content] : (m.content ?? []).map((part) => part.text ?? '')))

interface Recording {
  agent: string
  model: string
  env: Record<string, string>
  start(): Promise<{ url: string; close(): unknown }>
  config?: (dir: string) => Record<string, unknown>
}

const RECORDINGS: Recording[] = [
  {
    agent: 'claude_code',
    model: 'anthropic/scripted-model',
    env: { ANTHROPIC_API_KEY: 'sk-ant-test-not-a-real-key' },
    start: async () => {
      const play = goldCliModel(await featureIndex('textkit_task'), claudeCodeShell)
      return startScriptedAnthropicServer({
        script: (r) => play({ texts: anthropicRequestTexts(r.body), assistantTurns: r.body.messages.filter((m) => m.role === 'assistant').length }),
      })
    },
  },
  {
    agent: 'codex',
    model: 'openai/scripted-model',
    env: { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000' },
    start: async () => {
      const play = goldCliModel(await featureIndex('textkit_task'), codexShell)
      const turns = (input: unknown) =>
        Array.isArray(input) ? input.filter((item: { type?: string; role?: string }) => item.type === 'function_call' || item.role === 'assistant').length : 0
      return startScriptedResponsesServer({ script: (r) => play({ texts: responsesRequestTexts(r.body), assistantTurns: turns(r.body.input) }) })
    },
  },
  {
    agent: 'qwen_code',
    model: 'openai/scripted-model',
    env: { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000' },
    start: async () => {
      const play = goldCliModel(await featureIndex('textkit_task'), qwenCodeShell)
      return startScriptedLlmServer({
        script: (r) => play({ texts: textsOf(r.body.messages), assistantTurns: r.body.messages.filter((m) => m.role === 'assistant').length }),
      })
    },
  },
  {
    agent: 'openhands_sdk',
    model: 'openai/scripted-model',
    env: { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000' },
    start: async () => startScriptedLlmServer({ script: openhandsGoldModel(await featureIndex('textkit_task')) as never }),
    config: (dir) => ({ openhands_sdk: { server_command: fakeOpenHandsServerCommand(dir, '{port}', ['--host', '127.0.0.1']), poll_seconds: 0.5 } }),
  },
]

describe.skipIf(!process.env.RECORD_AGENT_RUNS)('recording the agent runs the export tests read', () => {
  it.each(RECORDINGS)(
    '$agent: a coop pair with messaging, copied to the fixtures',
    async (recording) => {
      const server = await recording.start()
      const openhands = recording.config ? await installFakeOpenHandsServer() : undefined
      try {
        const w = await makeWorkdir(`record-${recording.agent}`)
        const agents = recording.config?.(openhands!.dir) ?? { [recording.agent]: { poll_seconds: 0.5 } }
        await writeFile(join(w.cwd, 'cooperbench.config.json'), JSON.stringify({ backends: { local: { network: true } }, agents }))
        const run = `${recording.agent}-coop`
        const args = ['run', '-a', recording.agent, '-n', run, ...PAIR, '-m', recording.model, '--model-base-url', server.url]
        const r = await runCli(args, w.options({ env: recording.env, timeoutMs: 600_000 }))
        expect(r.code, describeResult(r)).toBe(0)
        await rm(join(FIXTURES, run), { recursive: true, force: true })
        await mkdir(FIXTURES, { recursive: true })
        await cp(join(w.logs, run), join(FIXTURES, run), { recursive: true })
      } finally {
        await server.close()
        await openhands?.remove()
      }
    },
    900_000,
  )
})
