import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startScriptedLlmServer, toolCall } from '@cooperbench/testkit/llm-server'
import { DEMO_DATASET, describeResult, makeWorkdir, pairDirs, readJson, requireLocalBackend, runCli } from './helpers.js'

/**
 * A reference configuration with a cost limit, a known model name (`openai/gpt-4o`) and
 * `--model-base-url` pointing at a scripted server: the reference's client (LiteLLM's
 * `completion_cost(response, model=<name>)`, 0.0.14) prices each call by the name, whatever server
 * answers, so its limit stops the agent at the same call here. `model.cost_tracking` is left at
 * its default, under which an unpriced call is an error.
 */
const CONFIG = `
agent:
  system_template: "You are alone."
  instance_template: "{{ task }}"
  step_limit: 0
  cost_limit: 0.6
model:
  observation_template: "{{ output.output }}"
`

/** Every call reads 100,000 prompt tokens and writes none: $0.25 at gpt-4o's $2.50 per million input tokens. */
const PROMPT_TOKENS = 100_000

let server: Awaited<ReturnType<typeof startScriptedLlmServer>>
beforeAll(async () => {
  server = await startScriptedLlmServer({
    script: () => toolCall('echo working', { usage: { promptTokens: PROMPT_TOKENS, completionTokens: 0 } }),
    models: ['gpt-4o'],
  })
})
afterAll(() => server?.close())

describe('a reference configuration with --model-base-url and a model with a known price', () => {
  it("is priced by the model's name, so cost_limit stops at the reference's call", async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('reference-config-price')
    await writeFile(join(w.cwd, 'solo.yaml'), CONFIG)
    const r = await runCli(
      [
        'run',
        '-n',
        'priced',
        '--setting',
        'solo',
        '--dataset-dir',
        DEMO_DATASET,
        '-r',
        'confkit_task',
        '-t',
        '5',
        '-f',
        '1,2',
        '-m',
        'openai/gpt-4o',
        '--model-base-url',
        server.url,
        '--agent-config',
        'solo.yaml',
        '--backend',
        'local',
        '--no-auto-eval',
      ],
      w.options({ env: { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000' }, timeoutMs: 300_000 }),
    )
    expect(r.code, describeResult(r)).toBe(0)
    const [dir] = await pairDirs(w.logs, 'priced', 'solo')
    const result = await readJson(join(dir!, 'result.json'))
    // $0.25, $0.50, $0.75: the limit of $0.60 is reached after the third call, checked before the fourth.
    expect(server.chatRequests()).toHaveLength(3)
    expect(result).toMatchObject({ agent: { status: 'LimitsExceeded', steps: 3 } })
    expect(result.agent.cost).toBeCloseTo(0.75, 9)
    expect(await readFile(join(dir!, 'solo_traj.json'), 'utf8')).toContain('LimitsExceeded')
  }, 300_000)
})
