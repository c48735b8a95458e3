import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type AtifTrajectory, atifProblems } from '@cooperbench/report'
import { goldDatasetScript, type ScriptedLlmServer, startScriptedLlmServer } from '@cooperbench/testkit/llm-server'
import { afterAll, describe, expect, it } from 'vitest'
import { DEMO_DATASET, describeResult, makeWorkdir, pairDirs, readJson, requireLocalBackend, runCli } from './helpers.js'

/**
 * Upstream 0.0.20–0.0.21's `capture_token_ids` end to end: a user's agent config with upstream's `model:` block
 * (`capture_token_ids: true`), mini_swe_agent run by the real CLI on the local backend against the scripted model answering
 * token ids as vLLM does, then `export --format atif`. CHANGELOG 0.0.20: "the ids the server used are stored on each assistant
 * message as `extra["token_capture"]`, persisting into the saved trajectory"; 0.0.21: read where vLLM returns them.
 */
const CONFIG = 'model:\n  capture_token_ids: true\n'

/** The ids a call gets: its request's place in the run, so each step's ids are its own. */
const idsOf = (index: number) => ({ prompt: [100_000 + index, 1, 2, 3], completion: [200_000 + index, 4] })

let server: ScriptedLlmServer | undefined
afterAll(() => server?.close())

describe('capture_token_ids through a run and an ATIF export (upstream 0.0.20/0.0.21)', () => {
  it("the saved trajectories' replies hold the ids their server returned; ATIF puts them on the agent steps and stays valid", async (ctx) => {
    requireLocalBackend(ctx)
    const gold = await goldDatasetScript(DEMO_DATASET)
    if (typeof gold !== 'function') throw new Error('the gold script is expected to answer per request')
    server = await startScriptedLlmServer({ script: async (request, turn) => ({ ...(await gold(request, turn)), tokenIds: idsOf(request.index) }) })
    const w = await makeWorkdir('token-ids')
    await writeFile(join(w.cwd, 'capture.yaml'), CONFIG)
    const options = w.options({ env: { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000' }, timeoutMs: 600_000 })
    const model = ['-m', 'openai/scripted-model', '--model-base-url', server.url, '--dataset-dir', DEMO_DATASET]
    const run = await runCli(
      ['run', '-n', 'tok', '-r', 'textkit_task', '-t', '7', '-f', '1,2', ...model, '--agent-config', 'capture.yaml', '--no-auto-eval'],
      options,
    )
    expect(run.code, describeResult(run)).toBe(0)

    const requests = server.chatRequests()
    expect(requests.length).toBeGreaterThan(0)
    expect(requests.every((r) => r.body.return_token_ids === true)).toBe(true)
    const [dir] = await pairDirs(w.logs, 'tok', 'coop')
    const saved = new Map<string, Array<{ prompt_token_ids: number[]; completion_token_ids: number[] }>>()
    for (const agent of ['agent1', 'agent2']) {
      const trajectory = await readJson(join(dir!, `${agent}_traj.json`))
      const replies = (trajectory.messages as Array<{ role: string; extra: Record<string, any> }>).filter((m) => m.role === 'assistant')
      expect(replies.length).toBeGreaterThan(0)
      const captured = replies.map((m) => m.extra['token_capture'])
      // Each reply's ids are one request's, as the server answered it (no two replies share a request).
      for (const ids of captured) {
        const index = ids.prompt_token_ids[0] - 100_000
        expect(ids).toEqual({ prompt_token_ids: idsOf(index).prompt, completion_token_ids: idsOf(index).completion })
      }
      saved.set(agent, captured)
    }
    const all = [...saved.values()].flat().map((ids) => ids.prompt_token_ids[0])
    expect(new Set(all).size).toBe(all.length)

    const exported = await runCli(['export', '-n', 'tok', '--format', 'atif', '--out', 'atif', '--json'], options)
    expect(exported.code, describeResult(exported)).toBe(0)
    const files = JSON.parse(exported.stdout).files as string[]
    expect(files).toHaveLength(2)
    for (const file of files) {
      const atif = JSON.parse(await readFile(file, 'utf8')) as AtifTrajectory
      expect(atifProblems(atif), file).toEqual([])
      const agent = file.endsWith('/agent1.atif.json') ? 'agent1' : 'agent2'
      const steps = atif.steps.filter((s) => s.source === 'agent' && (s.llm_call_count ?? 0) > 0)
      expect(steps.map((s) => ({ prompt_token_ids: s.metrics?.prompt_token_ids, completion_token_ids: s.metrics?.completion_token_ids }))).toEqual(
        saved.get(agent),
      )
    }
  })
})
