import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEMO_DATASET, describeResult, makeWorkdir, readJson, requireLocalBackend, runCli, startCli } from './helpers.js'

/**
 * `cooperbench dev model-server`: the README's way to try the default LLM agent with no key and no
 * network. The real mini-SWE agent, on the real model layer, against the served script.
 */
describe('cooperbench dev model-server', () => {
  it('serves a model the default agent solves demo pairs with, coop and solo, with no key; its cost is unknown, not $0', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('dev-model-server')
    const server = startCli(['dev', 'model-server', '--dataset-dir', DEMO_DATASET], { ...w.options(), timeoutMs: 300_000 })
    try {
      expect(await server.waitForStdout(/try: .*--model-base-url (\S+)/, 60_000), server.stderr()).toBe(true)
      const url = /--model-base-url (\S+)/.exec(server.stdout())![1]!
      const noKey = { OPENAI_API_KEY: '' }
      const model = ['-m', 'openai/scripted-model', '--model-base-url', url, '--dataset-dir', DEMO_DATASET]
      // textkit 12, features 2 and 3 merge cleanly; textkit 7, 1 and 2 overlap (solo applies the combined patch).
      const coop = await runCli(['run', '-r', 'textkit_task', '-t', '12', '-f', '2,3', '-n', 'coop', ...model], w.options({ env: noKey }))
      expect(coop.code, describeResult(coop)).toBe(0)
      expect(coop.stdout).toMatch(/evaluated\s+1: passed 1, failed 0, errors 0/)
      expect(coop.stdout).toMatch(/cost\s+unknown \(no price is known for the model/)
      const solo = await runCli(['run', '-r', 'textkit_task', '-t', '7', '-f', '1,2', '--setting', 'solo', '-n', 'solo', ...model], w.options({ env: noKey }))
      expect(solo.code, describeResult(solo)).toBe(0)
      const pair = join(w.logs, 'solo', 'solo', 'textkit_task', '7', 'f1_f2')
      expect(await readJson(join(pair, 'result.json'))).toMatchObject({ agent_framework: 'mini_swe_agent', agent: { status: 'Submitted', steps: 2 } })
      expect(await readJson(join(w.logs, 'solo', 'summary.json'))).toMatchObject({ setting: 'solo', eval: { passed: 1, errors: 0 } })
    } finally {
      server.child.kill('SIGINT')
    }
    const ended = await server.result
    expect(ended.code, describeResult(ended)).toBe(0)
  }, 300_000)
})
