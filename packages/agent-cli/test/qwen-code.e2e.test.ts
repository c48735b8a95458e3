import { type RecordedChatMessage, startScriptedLlmServer } from '@cooperbench/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { featureIndex } from '../../cli/test/e2e/gold-features.js'
import { describeResult, pairDirs, requireLocalBackend, runCli } from '../../cli/test/e2e/helpers.js'
import { qwenCodeProfile } from '../src/index.js'
import { cliAgentWorkdir, hostBinaryOrFailInCi, scriptedPairArgs } from './support/cli-e2e.js'
import { expectCoopSubmitted } from './support/coop-checks.js'
import { goldCliModel } from './support/gold-model.js'
import { qwenCodeShell } from './support/shell-calls.js'

/**
 * Agent `qwen_code` end to end with the real Qwen Code CLI from npm against the scripted OpenAI
 * Chat Completions server, through `cooperbench run` on the local backend: one demo pair in coop,
 * messages both ways, verdicts equal to the oracle's.
 */
const REPO = 'textkit_task'
const binary = hostBinaryOrFailInCi(qwenCodeProfile)
let model: Awaited<ReturnType<typeof startScriptedLlmServer>>

const textsOf = (messages: RecordedChatMessage[]) =>
  messages.flatMap((m) => (typeof m.content === 'string' ? [m.content] : (m.content ?? []).map((part) => part.text ?? '')))

beforeAll(async () => {
  const play = goldCliModel(await featureIndex(REPO), qwenCodeShell)
  model = await startScriptedLlmServer({
    script: (request) => play({ texts: textsOf(request.body.messages), assistantTurns: request.body.messages.filter((m) => m.role === 'assistant').length }),
  })
})
afterAll(async () => {
  await model?.close()
})

describe.skipIf(binary === null)('qwen_code with the real Qwen Code CLI', () => {
  it('coop on local: both submit, messages both ways in conversation.json, verdicts equal the oracle’s', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await cliAgentWorkdir('qwen-local', 'qwen_code')
    const env = { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000' }
    const coop = await runCli(
      ['run', '-a', 'qwen_code', '-n', 'qwcoop', ...scriptedPairArgs('openai/scripted-model', model.url)],
      w.options({ env, timeoutMs: 400_000 }),
    )
    expect(coop.code, describeResult(coop)).toBe(0)
    const [dir] = await pairDirs(w.logs, 'qwcoop', 'coop')
    await expectCoopSubmitted(dir!)
  }, 600_000)
})
