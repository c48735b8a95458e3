import { existsSync, readdirSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEMO_DATASET, describeResult, makeWorkdir, requireLocalBackend, runCli, stackLines } from './helpers.js'

/**
 * A terminal coding agent calls its model from inside the sandbox. On the local backend with its
 * default `network: false` (a private loopback per sandbox) it could never reach the model: the
 * run is refused before any sandbox starts, naming `backends.local.network`, instead of a pair
 * that waits with no request and no output until its wall clock ends it.
 */
const PAIR = ['--dataset-dir', DEMO_DATASET, '-r', 'confkit_task', '-t', '5', '-f', '1,3', '--model-base-url', 'http://127.0.0.1:9/v1']
const KEYS = { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000', ANTHROPIC_API_KEY: 'sk-ant-test-not-a-real-key-000000' }

describe('a CLI agent on sandboxes without network', () => {
  for (const [agent, model] of [
    ['codex', 'openai/gpt-5-codex'],
    ['claude_code', 'anthropic/claude-sonnet-4-5'],
  ] as const) {
    it(`-a ${agent} on local without backends.local.network is refused before any sandbox starts`, async (ctx) => {
      requireLocalBackend(ctx)
      const w = await makeWorkdir(`no-network-${agent}`)
      const r = await runCli(['run', '-n', 'offline', '-a', agent, '-m', model, ...PAIR], w.options({ env: KEYS, timeoutMs: 120_000 }))
      expect(r.code, describeResult(r)).toBe(2)
      expect(r.stderr).toContain(
        `error: ${agent} calls its model from inside the sandbox, and backend local's sandboxes have no network: it could never reach the model\n`,
      )
      expect(r.stderr).toMatch(/^hint: Set backends\.local\.network: true in the config file/m)
      expect(stackLines(r.stderr)).toEqual([])
      // No pair started: no result, no sandbox workspace.
      const run = join(w.logs, 'offline')
      const results = existsSync(run) ? readdirSync(run, { recursive: true }).filter((f) => String(f).endsWith('result.json')) : []
      expect(results).toEqual([])
      expect(existsSync(w.sandboxRoot) ? readdirSync(w.sandboxRoot) : []).toEqual([])
    })
  }

  it('with backends.local.network: true the network check passes (the run goes on to the next preflight)', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('network-codex')
    await writeFile(join(w.cwd, 'cooperbench.config.json'), JSON.stringify({ backends: { local: { network: true } } }))
    // A cost limit codex cannot keep is the preflight's next refusal: reached only past the network check.
    const r = await runCli(
      ['run', '-n', 'online', '-a', 'codex', '-m', 'openai/gpt-5-codex', '--cost-limit', '1', ...PAIR],
      w.options({ env: KEYS, timeoutMs: 120_000 }),
    )
    expect(r.code, describeResult(r)).toBe(2)
    expect(r.stderr).not.toMatch(/no network/)
    expect(r.stderr).toMatch(/codex reports no cost, so a cost limit \(\$1\) cannot be enforced/)
  })
})
