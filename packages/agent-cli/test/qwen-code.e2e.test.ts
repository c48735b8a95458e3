import { existsSync } from 'node:fs'
import { chmod, copyFile, link, mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { type RecordedChatMessage, startScriptedLlmServer } from '@cooperbench/testkit'
import { ExitCode } from '@cooperbench/spec'
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
 * must show to sandboxes that have a `/tmp` of their own. And a model that answers garbage, in
 * solo: how the CLI reports its provider's error is the agent's own, one agent shows it.
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
    // Qwen Code reports no cost: unknown, never $0.
    await expectCoopSubmitted(dir!, (name, agent) => expect(agent, name).toMatchObject({ cost: 0, cost_unknown: true }))
  }, 600_000)

  it("a model that answers garbage: the agent fails for infra with the provider's error, the pair is never scored; an unreachable one is refused before the run", async (ctx) => {
    requireLocalBackend(ctx)
    const garbage = await listen(createServer((_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>garbage</html>')))
    const closed = await listen(createServer())
    const closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/v1`
    await new Promise((done) => closed.close(done))
    try {
      await Promise.all([
        (async () => {
          const w = await cliAgentWorkdir('qwgarbage', 'qwen_code')
          const url = `http://127.0.0.1:${(garbage.address() as AddressInfo).port}/v1`
          const r = await runCli(
            ['run', '-a', 'qwen_code', '-n', 'qwgarbage', '--setting', 'solo', ...scriptedPairArgs('openai/x', url)],
            w.options({ env: { OPENAI_API_KEY: 'sk-test-000' }, timeoutMs: 200_000 }),
          )
          expect(r.code, describeResult(r)).not.toBe(0)
          const [dir] = await pairDirs(w.logs, 'qwgarbage', 'solo')
          expect(dir, describeResult(r)).toBeDefined()
          const { agent } = JSON.parse(await readFile(join(dir!, 'result.json'), 'utf8')) as { agent: { status: string; failure: string; error: string } }
          expect(agent).toMatchObject({ status: 'Error', failure: 'infra' })
          expect(agent.error).toMatch(/^\[API Error: .*non-SSE response/)
          expect(existsSync(join(dir!, 'eval.json'))).toBe(false)
        })(),
        (async () => {
          // Nothing listens: the preflight asks the URL before any sandbox, and the run never starts.
          const w = await cliAgentWorkdir('qwdown', 'qwen_code')
          const r = await runCli(
            ['run', '-a', 'qwen_code', '-n', 'qwdown', ...scriptedPairArgs('openai/x', closedUrl)],
            w.options({ env: { OPENAI_API_KEY: 'sk-test-000' }, timeoutMs: 200_000 }),
          )
          expect(r.code, describeResult(r)).toBe(ExitCode.backend)
          expect(r.stderr).toContain(closedUrl)
          expect(await pairDirs(w.logs, 'qwdown', 'coop')).toEqual([])
        })(),
      ])
    } finally {
      await new Promise((done) => garbage.close(done))
    }
  }, 500_000)
})

async function listen(server: Server): Promise<Server> {
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  return server
}
