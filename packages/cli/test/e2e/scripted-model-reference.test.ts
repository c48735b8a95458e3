import { existsSync } from 'node:fs'
import { copyFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { goldDatasetScript, startScriptedLlmServer } from '@cooperbench/testkit/llm-server'
import { DEMO_DATASET, describeResult, makeWorkdir, pairDirs, REPO_ROOT, readJson, requireLocalBackend, runCli } from './helpers.js'

/**
 * `cooperbench dev model-server`'s model (goldDatasetScript) with mini_swe_agent given upstream's
 * own configuration files (`--agent-config coop.yaml`, from ../shared/upstream-configs): that
 * protocol evaluates only what the agent submits, so the scripted model must write patch.txt and
 * submit it, or the pair is scored on empty patches; the record says where the patch came from.
 * The files stay outside the repository (upstream's, supplied at run time; CI has ../shared beside
 * the checkout, and without it the test skips saying so).
 */
const UPSTREAM_CONFIGS = join(REPO_ROOT, '..', 'shared', 'upstream-configs')

let server: Awaited<ReturnType<typeof startScriptedLlmServer>>
beforeAll(async () => {
  server = await startScriptedLlmServer({ script: await goldDatasetScript(DEMO_DATASET) })
})
afterAll(() => server?.close())

describe("the scripted model under upstream's configuration files", () => {
  // 0.0.14 on: patch.txt is evaluated; 0.0.12–0.0.13: what the submit command prints after the marker.
  it.for([
    ['0.0.14', '0.0.14-eb2075e', 'agent_patch_file'],
    ['0.0.12', '0.0.12-07294b8', 'after_submit_marker'],
  ] as const)(
    'a %s coop.yaml: the gold patches are submitted and scored, and patch_source names where they came from',
    async ([version, folder, source], ctx) => {
      requireLocalBackend(ctx)
      const file = join(UPSTREAM_CONFIGS, folder, 'coop.yaml')
      if (!existsSync(file)) {
        if (process.env.CI) throw new Error(`${file} is missing, and CI is set`)
        ctx.skip(`upstream's configuration files are not at ${UPSTREAM_CONFIGS}`)
      }
      const w = await makeWorkdir('scripted-reference')
      await copyFile(file, join(w.cwd, 'coop.yaml'))
      const args = ['run', '-n', 'ref', '--dataset-dir', DEMO_DATASET, '-r', 'confkit_task', '-t', '5', '-f', '1,3']
      const model = ['-m', 'openai/scripted-model', '--model-base-url', server.url, '--agent-config', 'coop.yaml']
      const before = server.requests.length
      const r = await runCli([...args, ...model], w.options({ env: { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000' }, timeoutMs: 600_000 }))
      expect(r.code, describeResult(r)).toBe(0)
      // Besides the chat requests, the run's preflight lists the server's models once, before the first of them.
      const sent = server.requests.slice(before).map((q) => `${q.method} ${q.path}`)
      expect(sent[0]).toBe('GET /v1/models')
      expect(
        sent.slice(1).every((q) => q === 'POST /v1/chat/completions'),
        sent.join(', '),
      ).toBe(true)
      const [dir] = await pairDirs(w.logs, 'ref', 'coop')
      const result = await readJson(join(dir!, 'result.json'))
      for (const agent of ['agent1', 'agent2']) {
        expect(result.agents[agent], agent).toMatchObject({ status: 'Submitted', steps: 2, patch_source: source })
      }
      // Confkit task 5's features 1 and 3 merge cleanly and pass with their gold patches (dataset/expected/demo-verdicts.json).
      expect(await readJson(join(dir!, 'eval.json'))).toMatchObject({ merge: { status: 'clean' }, both_passed: true })
      // An older file's protocol is named once for the run, not once per agent.
      const notices = `${r.stdout}${r.stderr}`.split("upstream 0.0.12–0.0.13's protocol is in force").length - 1
      expect(notices, describeResult(r)).toBe(version === '0.0.12' ? 1 : 0)
    },
  )
})
