import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type CliProcess,
  DEMO_DATASET,
  describeResult,
  linesStartingWith,
  makeWorkdir,
  readJson,
  REPO_ROOT,
  requireLocalBackend,
  runCli,
  stackLines,
  startCli,
} from '../../../cli/test/e2e/helpers.js'

/** `node <bin> dev model-server --help` from the checkout, outside vitest's NODE_ENV=test (NODE_ENV unset). */
function helpThrough(bin: 'dev.js' | 'run.js') {
  const { NODE_ENV: _test, ...env } = process.env
  return spawnSync(process.execPath, [join(REPO_ROOT, 'packages', 'cli', 'bin', bin), 'dev', 'model-server', '--help'], {
    cwd: REPO_ROOT,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  })
}

/**
 * The command is in @cooperbench/dev-tools, an oclif dev plugin of the CLI (`oclif.devPlugins`):
 * one command in the checkout, absent from what a user installs.
 */
describe('where `cooperbench dev model-server` is', () => {
  it("is `pnpm cooperbench dev model-server` in the checkout: the script's bin/dev.js loads the dev plugin with no NODE_ENV set", () => {
    const scripts = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts
    expect(scripts.cooperbench).toBe('node packages/cli/bin/dev.js')
    const r = helpThrough('dev.js')
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^ {2}\$ cooperbench dev model-server /m)
    expect(r.stderr).toBe('')
  })

  it('is not a command of bin/run.js, the only entry the CLI package ships, whose runtime dependencies leave out testkit', () => {
    const r = helpThrough('run.js')
    expect(r.status).not.toBe(0)
    expect(r.stderr).toMatch(/command dev model-server not found/i)
    expect(r.stderr).toMatch(/pnpm cooperbench dev model-server/)
    const cli = JSON.parse(readFileSync(join(REPO_ROOT, 'packages', 'cli', 'package.json'), 'utf8')) as {
      files: string[]
      dependencies: Record<string, string>
    }
    expect(cli.files.filter((file) => file.startsWith('bin'))).toEqual(['bin/run.js'])
    expect(Object.keys(cli.dependencies)).not.toContain('@cooperbench/testkit')
    expect(Object.keys(cli.dependencies)).not.toContain('@cooperbench/dev-tools')
  })
})

/**
 * `cooperbench dev model-server`: the README's way to try the default LLM agent with no key and no
 * network. The real mini-SWE agent, on the real model layer, against the served script: one server,
 * left running for every run below as the README has it, then stopped with Ctrl+C.
 */
describe('cooperbench dev model-server', () => {
  let server: CliProcess
  let model: string[]
  const noKey = { OPENAI_API_KEY: '' }

  beforeAll(async () => {
    const w = await makeWorkdir('dev-model-server', 'file')
    server = startCli(['dev', 'model-server', '--dataset-dir', DEMO_DATASET], { ...w.options(), timeoutMs: 1_200_000 })
    if (!(await server.waitForStdout(/try: .*--model-base-url (\S+)/, 60_000))) throw new Error(`dev model-server did not start:\n${server.stderr()}`)
    const url = /--model-base-url (\S+)/.exec(server.stdout())![1]!
    model = ['-m', 'openai/scripted-model', '--model-base-url', url, '--dataset-dir', DEMO_DATASET]
  }, 120_000)
  afterAll(() => {
    server?.child.kill('SIGINT')
  })

  it('serves a model the default agent solves demo pairs with, with no key, its cost unknown, not $0: solo, and coop with --git, whose teammates hold a short conversation (a question and its reply, a push and a fetch) that analyze sees', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('dev-model-server-talk')
    // textkit 12, features 2 and 4 merge cleanly (2 and 3 conflict: they pass only through 0.0.14's union); textkit 7, 1 and 2 overlap (solo applies the combined patch).
    const coop = await runCli(
      ['run', '-r', 'textkit_task', '-t', '12', '-f', '2,4', '--git', '-n', 'talk', ...model],
      w.options({ env: noKey, timeoutMs: 240_000 }),
    )
    expect(coop.code, describeResult(coop)).toBe(0)
    expect(coop.stdout).toMatch(/evaluated\s+1: passed 1, failed 0, errors 0/)
    expect(coop.stdout).toMatch(/cost\s+unknown \(no price is known for the model/)
    expect(coop.stdout + coop.stderr).toMatch(/Agent 1 → Agent 2: "Hi agent2, I am agent1/)
    const pair = join(w.logs, 'talk', 'coop', 'textkit_task', '12', 'f2_f4')
    const conversation = await readJson(join(pair, 'conversation.json'))
    expect(conversation.map((m: { from: string; to: string }) => `${m.from}->${m.to}`)).toEqual(['agent1->agent2', 'agent2->agent1'])
    expect(conversation[0].message).toMatch(/\?$/)
    // The asker pushed its branch before asking; the replier fetched it and saw the asker's commit.
    // Trajectories are named by feature: agent2 (the replier) implements feature 4.
    const trajectory = JSON.stringify(await readJson(join(pair, 'agent4_traj.json')))
    expect(trajectory).toMatch(/git fetch -q team && git log --oneline team\/agent1/)
    expect(trajectory).toContain('agent1: gold patch')

    const analysed = await runCli(['analyze', '-n', 'talk', '--json'], w.options())
    expect(analysed.code, describeResult(analysed)).toBe(0)
    const signals = JSON.parse(analysed.stdout).pairs[0].signals
    expect(signals).toMatchObject({ messages: 2, unanswered_questions: [] })

    const solo = await runCli(['run', '-r', 'textkit_task', '-t', '7', '-f', '1,2', '--setting', 'solo', '-n', 'solo', ...model], w.options({ env: noKey }))
    expect(solo.code, describeResult(solo)).toBe(0)
    const soloPair = join(w.logs, 'solo', 'solo', 'textkit_task', '7', 'f1_f2')
    expect(await readJson(join(soloPair, 'result.json'))).toMatchObject({ agent_framework: 'mini_swe_agent', agent: { status: 'Submitted', steps: 2 } })
    expect(await readJson(join(w.logs, 'solo', 'summary.json'))).toMatchObject({ setting: 'solo', eval: { passed: 1, errors: 0 } })
  }, 480_000)

  it('plays a team on a pair that merges cleanly and one that conflicts: the member claims its task and leaves its patch, the lead integrates it; both pass', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('dev-model-server-team')
    // Task 12's features 1 and 2 merge cleanly; 2 and 3 conflict (they pass through the lead's integrated patch alone).
    for (const features of ['1,2', '2,3']) {
      const args = ['run', '-r', 'textkit_task', '-t', '12', '-f', features, '--setting', 'team', '-n', 'team', ...model]
      const r = await runCli(args, w.options({ env: noKey, timeoutMs: 600_000 }))
      expect(r.code, describeResult(r)).toBe(0)
      expect(r.stdout).toMatch(/evaluated\s+1: passed 1, failed 0, errors 0/)
    }
    for (const features of ['f1_f2', 'f2_f3']) {
      const pair = join(w.logs, 'team', 'team', 'textkit_task', '12', features)
      const result = await readJson(join(pair, 'result.json'))
      expect(result, features).toMatchObject({ setting: 'team', lead_agent: 'agent1', metrics: { tasks_total: 2, tasks_done: 2 } })
      expect(result.metrics.claims_per_agent, features).toMatchObject({ agent2: 1 })
      // The member's patch, left in the scratchpad for the lead.
      expect(readFileSync(join(pair, 'scratchpad', 'agent2.patch'), 'utf8'), features).toMatch(/^diff --git /)
    }
  }, 1_200_000)

  it('stops on Ctrl+C with exit 0, after serving every run above', async () => {
    server.child.kill('SIGINT')
    const ended = await server.result
    expect(ended.code, describeResult(ended)).toBe(0)
  }, 60_000)

  it('on a port another program holds, says the port is taken (exit 2, a hint), not a bug', async () => {
    const w = await makeWorkdir('dev-model-server-busy')
    const holder = createServer()
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve))
    const port = (holder.address() as { port: number }).port
    try {
      const r = await runCli(['dev', 'model-server', '--port', String(port), '--dataset-dir', DEMO_DATASET], w.options())
      expect(r.code, describeResult(r)).toBe(2)
      expect(linesStartingWith(r.stderr, 'error:')).toEqual([`error: port ${port} on 127.0.0.1 is taken: another program listens on it`])
      expect(r.stderr).toMatch(/^hint: Choose another --port/m)
      expect(r.stderr).not.toMatch(/bug in cooperbench/)
      expect(stackLines(r.stderr)).toEqual([])
    } finally {
      await new Promise((resolve) => holder.close(resolve))
    }
  }, 180_000)
})
