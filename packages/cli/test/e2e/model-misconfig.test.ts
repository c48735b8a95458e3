import { existsSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { ExitCode } from '@cooperbench/core'
import { describe, expect, it } from 'vitest'
import { finalTurn, type ScriptedLlmServer, type ScriptedServerFault, scriptedLlmServersPerTest } from '@cooperbench/testkit'
import { DEMO_DATASET, describeResult, makeWorkdir, pairDirs, readJson, requireLocalBackend, runCli, runCliInProcess } from './helpers.js'

/**
 * A misconfigured model must not look like a bad agent. The default agent, a default run name
 * and the default concurrency, against testkit's scripted server answering as a wrong key
 * (OpenAI's 401 `invalid_api_key`), a web page, or 501 Not Implemented. The preflight's refusal,
 * before any agent starts, runs in the test's own process; runs that start agents are real CLI
 * processes.
 */
const ENV = { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000' }
const TASK = ['--dataset-dir', DEMO_DATASET, '-s', 'demo', '-r', 'textkit_task', '-t', '7']

const start = scriptedLlmServersPerTest()
const serverWith = (fault: ScriptedServerFault) => start({ script: () => finalTurn(), fault })

const chatCalls = (server: ScriptedLlmServer) => server.requests.filter((r) => r.path.endsWith('/chat/completions')).length

async function onlyRun(logs: string): Promise<string> {
  const runs = existsSync(logs) ? await readdir(logs) : []
  expect(runs).toHaveLength(1)
  return runs[0]!
}

describe('a misconfigured model is a configuration or infrastructure error, never a 0 % pass rate', () => {
  // What the preflight says of each wrong answer (a refused key, a web page, 501) is
  // agent-mini-swe/test/llm/probe.test.ts's; each is a configuration error, which ends a run so.
  it('preflight: a server answering 401 fails the run before any pair starts, exit 2, no token spent', async (ctx) => {
    requireLocalBackend(ctx)
    const server = await serverWith({ answer: 401 })
    const w = await makeWorkdir('misconfig-401')
    const r = await runCliInProcess(['run', ...TASK, '-m', 'openai/scripted-model', '--model-base-url', server.url], w.options({ env: ENV }))
    expect(r.code, describeResult(r)).toBe(ExitCode.usage)
    expect(r.stderr).toMatch(/refuses OPENAI_API_KEY \(HTTP 401: Incorrect API key provided/)
    expect(r.stderr).toMatch(/hint: /)
    expect(chatCalls(server)).toBe(0)
    const runs = existsSync(w.logs) ? await readdir(w.logs) : []
    for (const run of runs) expect(await pairDirs(w.logs, run, 'coop'), run).toEqual([])
  }, 150_000)

  it('a key refused only by chat completions: every agent fails the same way, the breaker stops the run after 4, exit 4, nothing judged', async (ctx) => {
    requireLocalBackend(ctx)
    const server = await serverWith({ answer: 401, routes: 'chat' })
    const w = await makeWorkdir('misconfig-breaker')
    // One pair at a time, so the count is exact: pairs 1 and 2 (4 agents) fail, pair 3 never starts.
    const r = await runCli(
      ['run', ...TASK, '-c', '1', '-m', 'openai/scripted-model', '--model-base-url', server.url],
      w.options({ env: ENV, timeoutMs: 180_000 }),
    )
    expect(r.code, describeResult(r)).toBe(ExitCode.backend)
    expect(r.stderr).toMatch(/run stopped: 4 agents in a row failed with the same infrastructure error: .*HTTP 401: Incorrect API key provided/)
    expect(r.stderr).not.toContain('sk-test-not-a-real-key-000000')
    expect(chatCalls(server)).toBe(4)
    const run = await onlyRun(w.logs)
    const pairs = await pairDirs(w.logs, run, 'coop')
    const finished = pairs.filter((dir) => existsSync(join(dir, 'result.json')))
    expect(finished).toHaveLength(2)
    for (const dir of finished) {
      const result = await readJson(join(dir, 'result.json'))
      for (const id of ['agent1', 'agent2']) expect(result.agents[id], `${dir} ${id}`).toMatchObject({ status: 'Error', failure: 'infra' })
      // A verdict on the empty patches would be a failure of a team that never ran.
      expect(existsSync(join(dir, 'eval.json')), dir).toBe(false)
    }
    expect(await readJson(join(w.logs, run, 'summary.json'))).toMatchObject({ interrupted: true, eval: { passed: 0, failed: 0 } })
    const report = await runCli(['report', '-n', run], w.options())
    expect(report.stdout).toContain("agents that did not submit: 4 infrastructure (rerun retries them), 0 the agent's own")
  }, 240_000)

  // That 501 and an HTML page alike are protocol failures, never retried, is
  // agent-mini-swe/test/llm/chat-model.test.ts's; one of them shows how a run ends on such a failure.
  it('chat completions answering an HTML page at run time: infra, not retried, the run stops with exit 4 at the default concurrency', async (ctx) => {
    requireLocalBackend(ctx)
    const server = await serverWith({ answer: 'html', routes: 'chat' })
    const w = await makeWorkdir('misconfig-chat-html')
    const r = await runCli(
      ['run', ...TASK, '-f', '1,2', '-m', 'openai/scripted-model', '--model-base-url', server.url],
      w.options({ env: ENV, timeoutMs: 120_000 }),
    )
    expect(r.code, describeResult(r)).toBe(ExitCode.backend)
    expect(r.stderr).toMatch(/run stopped: 2 agents in a row failed with the same infrastructure error/)
    // One request per agent: no retries of an answer that will not change.
    expect(chatCalls(server)).toBe(2)
    const [dir] = await pairDirs(w.logs, await onlyRun(w.logs), 'coop')
    const result = await readJson(join(dir!, 'result.json'))
    for (const id of ['agent1', 'agent2']) {
      expect(result.agents[id]).toMatchObject({ status: 'Error', failure: 'infra' })
      expect(result.agents[id].error).toMatch(/HTML page \("Welcome"\), not the model API/)
    }
  }, 150_000)
})
