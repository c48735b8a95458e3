import { chmod, copyFile, link, mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
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
 * messages both ways, verdicts equal to the oracle's. The CLI runs on a Node.js under `/tmp`
 * (as on a machine whose Node.js was installed under a home or prefix there), which the agent
 * must show to sandboxes that have a `/tmp` of their own.
 */
const REPO = 'textkit_task'
const binary = hostBinaryOrFailInCi(qwenCodeProfile)
let model: Awaited<ReturnType<typeof startScriptedLlmServer>>
let nodeDir: string | undefined

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
  if (nodeDir) await rm(nodeDir, { recursive: true, force: true })
})

/** This Node.js again under the host's `/tmp`: a hard link where it is the same file system, else a copy. */
async function nodeUnderTmp(): Promise<string> {
  nodeDir = await mkdtemp('/tmp/cb-node-')
  const node = join(nodeDir, 'node')
  await link(process.execPath, node).catch(() => copyFile(process.execPath, node))
  await chmod(node, 0o755)
  return node
}

describe.skipIf(binary === null)('qwen_code with the real Qwen Code CLI', () => {
  it('coop on local, Node.js under /tmp: both submit, messages both ways in conversation.json, verdicts equal the oracle’s', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await cliAgentWorkdir('qwen-local', 'qwen_code')
    const env = { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000' }
    const coop = await runCli(
      ['run', '-a', 'qwen_code', '-n', 'qwcoop', ...scriptedPairArgs('openai/scripted-model', model.url)],
      w.options({ env, timeoutMs: 400_000, node: await nodeUnderTmp() }),
    )
    expect(coop.code, describeResult(coop)).toBe(0)
    const [dir] = await pairDirs(w.logs, 'qwcoop', 'coop')
    await expectCoopSubmitted(dir!)
  }, 600_000)
})
