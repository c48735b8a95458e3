import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { errorTurn, finalTurn, startScriptedLlmServer, toolCall } from '@cooperbench/testkit/llm-server'
import { describeResult, listFiles, makeWorkdir, requireLocalBackend, runCli, demoPair } from './helpers.js'

/**
 * API keys in the environment never reach a file a run writes: not the trajectories (even when
 * the model asks the sandbox for its environment), not config.json, summaries or results, not
 * the CLI's output, and not a model error that echoes the request.
 */
const KEYS = {
  OPENAI_API_KEY: 'sk-fake-openai-9f8e7d6c5b4a',
  ANTHROPIC_API_KEY: 'sk-ant-fake-1a2b3c4d5e6f',
  GEMINI_API_KEY: 'fake-gemini-key-77aa88bb',
  HF_TOKEN: 'hf_fakeTokenValue123456',
}

let server: Awaited<ReturnType<typeof startScriptedLlmServer>>
beforeAll(async () => {
  let turn = 0
  server = await startScriptedLlmServer({
    apiKey: KEYS.OPENAI_API_KEY,
    script: ((request: { body: { messages: Array<{ role: string }> } }) => {
      turn++
      // A transient error whose body quotes the key, as some gateways do; then each agent looks for keys.
      if (turn === 1) return errorTurn(500, { errorMessage: `upstream rejected key ${KEYS.OPENAI_API_KEY}`, headers: { 'Retry-After': '0' } })
      if (!request.body.messages.some((m) => m.role === 'assistant')) {
        return toolCall('env; echo "openai=$OPENAI_API_KEY"; cat /proc/1/environ 2>/dev/null | tr "\\0" "\\n"; echo done')
      }
      return finalTurn()
    }) as never,
  })
})
afterAll(() => server?.close())

describe('secrets stay out of every file a run writes', () => {
  it('mini_swe_agent with fake keys in the environment, its sandbox asked for them: no key in logs/ or the output', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('secrets')
    const r = await runCli(
      ['run', ...demoPair(), '-a', 'mini_swe_agent', '-m', 'openai/scripted', '--model-base-url', server.url, '-n', 'secrets', '--verbose'],
      w.options({ env: KEYS, timeoutMs: 300_000 }),
    )
    expect(r.code, describeResult(r)).toBe(0)
    const files = await listFiles(w.logs)
    expect(files.some((f) => f.endsWith('_traj.json'))).toBe(true)
    // The sandbox really printed its environment into the trajectory (without the keys).
    const trajectory = await readFile(join(w.logs, files.find((f) => f.endsWith('agent1_traj.json'))!), 'utf8')
    expect(trajectory).toContain('openai=')
    for (const file of files) {
      const text = await readFile(join(w.logs, file), 'utf8')
      for (const [name, value] of Object.entries(KEYS)) expect(text.includes(value), `${file} contains ${name}`).toBe(false)
    }
    for (const [name, value] of Object.entries(KEYS)) expect((r.stdout + r.stderr).includes(value), `the CLI printed ${name}`).toBe(false)
    // The model was really called with the key: it is the harness that keeps it out of the files.
    const chats = server.requests.filter((request) => request.path.endsWith('/chat/completions'))
    expect(chats.length).toBeGreaterThan(2)
    expect(chats.every((request) => request.authorized)).toBe(true)
  }, 300_000)
})
