import type { Logger } from '@cooperbench/spec'
import { silentLogger } from '@cooperbench/spec-utils'
import { finalTurn, type ScriptedLlmServer, type ScriptedTurn, startScriptedLlmServer, toolCall } from '@cooperbench/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { MiniSweAgent } from '../src/agent/mini-swe-agent.js'
import { parseOptions } from '../src/agent/options.js'
import type { TrajectoryMessage } from '../src/agent/trajectory.js'
import { createChatModel } from '../src/llm/index.js'
import { tokenIdsOf } from '../src/llm/token-capture.js'
import { fakeSandbox, runContext } from './fakes.js'

/**
 * Upstream 0.0.20 (CHANGELOG: "optional `capture_token_ids` on the model config: requests carry `extra_body={"return_token_ids":
 * true}` and the ids the server used are stored on each assistant message as `extra["token_capture"]`") and 0.0.21 ("read the
 * ids where vLLM returns them": `prompt_token_ids` at the top level, `token_ids` on the choice), against the scripted
 * OpenAI-compatible server answering as vLLM >= 0.10.2 does, through the real chat-model client.
 */
const IDS: Array<{ prompt: number[]; completion: number[] }> = [
  { prompt: [1, 2, 3], completion: [40, 41] },
  { prompt: [1, 2, 3, 40, 41, 7], completion: [50] },
]
const WITH_IDS: ScriptedTurn[] = [toolCall('ls', { tokenIds: IDS[0] }), finalTurn({ tokenIds: IDS[1] })]

let models = 0
/** A model name of its own per run: the warnings are once per model in a process. */
const freshModel = () => `openai/token-ids-model-${++models}`

function warningsLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = []
  return { ...silentLogger, warnings, warn: (message: string) => warnings.push(message) }
}

async function runAgent(server: ScriptedLlmServer, options: Record<string, unknown>, logger: Logger = silentLogger) {
  const all = { model_base_url: server.url, ...options, model: { max_retries: 0, ...(options['model'] as object) } }
  const agent = new MiniSweAgent(parseOptions(all), { createModel: (settings) => createChatModel({ ...settings, env: {} }) })
  const result = await agent.run(runContext({ sandbox: fakeSandbox(), model: freshModel(), options: all, logger }))
  expect(result, String(result.error)).toMatchObject({ status: 'Submitted' })
  const assistants = (result.messages as TrajectoryMessage[]).filter((m) => m.role === 'assistant')
  return { result, assistants, bodies: server.chatRequests().map((r) => r.body) }
}

describe('capture_token_ids (upstream 0.0.20, read as 0.0.21 reads vLLM)', () => {
  let server: ScriptedLlmServer | undefined
  afterEach(() => server?.close())

  it("on, in the reference's model: block: every request asks return_token_ids, each assistant message keeps the ids of its call", async () => {
    server = await startScriptedLlmServer({ script: WITH_IDS })
    const logger = warningsLogger()
    const { assistants, bodies } = await runAgent(server, { config: { model: { capture_token_ids: true } } }, logger)
    expect(bodies).toHaveLength(2)
    for (const body of bodies) expect(body.return_token_ids).toBe(true)
    expect(assistants.map((m) => m.extra.token_capture)).toEqual(
      IDS.map(({ prompt, completion }) => ({ prompt_token_ids: prompt, completion_token_ids: completion })),
    )
    expect(logger.warnings.filter((w) => w.includes('token ids'))).toEqual([])
  })

  it('off (the default, or false): no return_token_ids, the same request bodies byte for byte, no token_capture', async () => {
    server = await startScriptedLlmServer({ script: WITH_IDS })
    const unset = await runAgent(server, {})
    await server.close()
    server = await startScriptedLlmServer({ script: WITH_IDS })
    const off = await runAgent(server, { model: { capture_token_ids: false } })
    // Each run's model name is its own: compare the bodies without it.
    const text = (bodies: typeof off.bodies) => bodies.map(({ model: _model, ...body }) => JSON.stringify(body))
    expect(text(off.bodies)).toEqual(text(unset.bodies))
    for (const body of [...unset.bodies, ...off.bodies]) expect(Object.keys(body!)).not.toContain('return_token_ids')
    for (const m of [...unset.assistants, ...off.assistants]) expect(Object.keys(m.extra)).not.toContain('token_capture')
  })

  it('on, a server that returns no ids: nothing stored, one warning for the run', async () => {
    server = await startScriptedLlmServer({ script: [toolCall('ls'), toolCall('pwd'), finalTurn()] })
    const logger = warningsLogger()
    const { assistants, bodies } = await runAgent(server, { model: { capture_token_ids: true } }, logger)
    expect(bodies.every((body) => body.return_token_ids === true)).toBe(true)
    expect(assistants).toHaveLength(3)
    for (const m of assistants) expect(Object.keys(m.extra)).not.toContain('token_capture')
    const warned = logger.warnings.filter((w) => w.includes('capture_token_ids'))
    expect(warned, logger.warnings.join('\n')).toHaveLength(1)
    expect(warned[0]).toContain('the server returned no token ids')
  })

  it("reads vLLM's places (prompt at the top, completion on the choice), a choice's prompt_token_ids as a fallback, never a malformed list", () => {
    const choice = { index: 0, message: { role: 'assistant', content: 'x' }, token_ids: [5, 6] }
    expect(tokenIdsOf({ prompt_token_ids: [1, 2], choices: [choice] })).toEqual({ prompt_token_ids: [1, 2], completion_token_ids: [5, 6] })
    // An older vLLM build: the prompt's ids on the choice.
    expect(tokenIdsOf({ choices: [{ ...choice, token_ids: undefined, prompt_token_ids: [9, 8] }] })).toEqual({ prompt_token_ids: [9, 8] })
    expect(tokenIdsOf({ prompt_token_ids: [1, 'two'], choices: [{ ...choice, token_ids: [1.5] }] })).toBeNull()
    expect(tokenIdsOf({ choices: [{ message: { content: 'x' } }] })).toBeNull()
    expect(tokenIdsOf(null)).toBeNull()
  })
})
