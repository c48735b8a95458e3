import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { finalTurn, startScriptedLlmServer, textTurn, toolCall } from '@cooperbench/testkit/llm-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type FeatureRef, featureIndex, heredoc } from './gold-features.js'
import { expectPairsAsExpected } from './expected-verdicts.js'
import {
  buildDemoImages,
  DEMO_DATASET,
  describeResult,
  dockerEngineAnswers,
  makeWorkdir,
  pairDirs,
  readJson,
  REPO_ROOT,
  runCli,
  startCli,
  type Workdir,
} from './helpers.js'

/**
 * Backend `modal` through the CLI. Without credentials: refused before anything is written.
 * With the stand-in (backend `modal-standin` of `@cooperbench/dev-tools/modal-standin`): the real
 * modal backend code over a local stand-in of Modal whose sandboxes are Docker containers, so
 * the demo verdicts must be the committed ones (dataset/expected/demo-verdicts.json), and no
 * sandbox may be left.
 */
const engine = dockerEngineAnswers('the modal stand-in e2e tests')
const skipReason = engine ? false : 'no Docker engine answers (the Modal stand-in runs its sandboxes there)'

const STANDIN = pathToFileURL(join(REPO_ROOT, 'packages', 'dev-tools', 'dist', 'modal-standin.js')).href
const dataset = ['--dataset-dir', DEMO_DATASET]

function containersOf(run: string): string[] {
  const out = spawnSync('docker', ['ps', '-aq', '--filter', `label=cooperbench.run=${run}`], { encoding: 'utf8' })
  return out.stdout.split('\n').filter(Boolean)
}

async function standinWorkdir(prefix: string, modal: Record<string, unknown> = {}): Promise<Workdir> {
  const w = await makeWorkdir(prefix)
  await writeFile(join(w.cwd, 'modal-standin.mjs'), `import { modalStandinPlugin } from ${JSON.stringify(STANDIN)}\nexport default modalStandinPlugin()\n`)
  const config = {
    plugins: ['./modal-standin.mjs'],
    backends: {
      'modal-standin': { blockNetwork: true, cpu: 1, memoryMiB: 1024, ...modal },
      docker: { network: 'none', buildNetwork: 'none', pull: 'never' },
    },
  }
  await writeFile(join(w.cwd, 'cooperbench.config.json'), JSON.stringify(config))
  return w
}

type Message = { role: string; content?: unknown }
const text = (m: Message | undefined) => (typeof m?.content === 'string' ? m.content : JSON.stringify(m?.content ?? ''))

/** A scripted model for the default agent in coop: each agent applies its feature's gold patch, then submits. */
function goldPatchModel(features: FeatureRef[]) {
  return async (request: { body: { messages: Message[]; tools?: unknown[] } }) => {
    const messages = request.body.messages
    if (!request.body.tools || request.body.tools.length === 0) return textTurn('Summary: nothing to add.')
    const task = text(messages.find((m) => m.role === 'user'))
    const mine = features.filter((f) => task.includes(f.spec))
    if (mine.length !== 1) return textTurn(`cannot tell which feature this is (${mine.length} matched)`)
    const steps = messages.filter((m) => m.role === 'assistant').length
    const plan = [toolCall(`${heredoc('/tmp/gold.patch', mine[0]!.gold)}\ngit apply /tmp/gold.patch && rm /tmp/gold.patch`), finalTurn()]
    return plan[Math.min(steps, plan.length - 1)]!
  }
}

let llm: Awaited<ReturnType<typeof startScriptedLlmServer>>
beforeAll(async () => {
  llm = await startScriptedLlmServer({ script: goldPatchModel(await featureIndex()) as never })
})
afterAll(() => llm?.close())

describe('backend modal without credentials', () => {
  // Listed without credentials: unit/plugin-lists.test.ts.
  it('a run exits non-zero with one line naming the fix, writing nothing under logs/', async () => {
    const w = await makeWorkdir('modal-nocreds')
    const env = { MODAL_CONFIG_PATH: join(w.cwd, 'no-such.modal.toml'), MODAL_TOKEN_ID: '', MODAL_TOKEN_SECRET: '', MODAL_PROFILE: '' }
    const r = await runCli(['run', '-s', 'demo', '-a', 'oracle', '--backend', 'modal', ...dataset], w.options({ env }))
    expect(r.code, describeResult(r)).not.toBe(0)
    const error = r.stderr.split('\n').filter((line) => line.startsWith('error:'))
    expect(error).toEqual([expect.stringMatching(/^error: no Modal credentials: MODAL_TOKEN_ID and MODAL_TOKEN_SECRET are not set/)])
    expect(r.stderr).toMatch(/^hint: .*modal token new/m)
    expect(existsSync(w.logs) ? await readdir(w.logs) : []).toEqual([])
  })

  it('config modal: without credentials one line naming the fix and no file written; with them and --skip-tests, settings written', async () => {
    const w = await makeWorkdir('modal-config')
    const none = { MODAL_CONFIG_PATH: join(w.cwd, 'no-such.modal.toml'), MODAL_TOKEN_ID: '', MODAL_TOKEN_SECRET: '' }
    const refused = await runCli(['config', 'modal'], w.options({ env: none }))
    expect(refused.code, describeResult(refused)).not.toBe(0)
    expect(refused.stderr).toMatch(/^error: no Modal credentials: /m)
    expect(existsSync(join(w.cwd, 'cooperbench.config.json'))).toBe(false)

    const profile = join(w.cwd, 'lab.modal.toml')
    await writeFile(profile, '[lab]\ntoken_id = "ak-test"\ntoken_secret = "as-test"\nenvironment = "research"\nactive = true\n')
    const r = await runCli(['config', 'modal', '--skip-tests'], w.options({ env: { ...none, MODAL_CONFIG_PATH: profile } }))
    expect(r.code, describeResult(r)).toBe(0)
    expect(r.stdout).toContain(`credentials: ${profile} profile lab`)
    expect(await readJson(join(w.cwd, 'cooperbench.config.json'))).toEqual({ backends: { modal: { appName: 'cooperbench', environment: 'research' } } })
    // The token itself is never written.
    expect(JSON.stringify(await readJson(join(w.cwd, 'cooperbench.config.json')))).not.toContain('as-test')
  })
})

describe.skipIf(skipReason)(`backend modal through the stand-in${skipReason ? ` (${skipReason})` : ''}`, () => {
  beforeAll(async () => {
    // The stand-in "pulls" task images from the local engine: build them as a user would push them.
    await buildDemoImages()
  }, 900_000)

  it('the default agent and run name on the demo subset with --git and -c above the backend’s capacity: every pair submits, each with its git server through a tunnel, the committed verdicts, originals of the tags in the run folder, nothing left', async () => {
    // Capacity 5 live sandboxes, both pairs at once: with --git a coop pair holds two agent sandboxes and
    // its git server's, so pairs wait on each other (5 places, never 6, so that one pair always gets its
    // three). --git needs blockNetwork off, so the oracle's runs below are the ones under a blocked
    // network (the default agent's model calls and messages do not use the sandbox's network).
    // Without --git, a coop pair on modal runs in openhands-remote.test.ts.
    // `-r textkit_task -f 1,2`: the pair 1,2 of textkit's two demo tasks, a conflicting merge (task 7) and a clean one
    // (task 12). Nothing here differs by task: which image a sandbox runs is the backend's only part in it.
    const w = await standinWorkdir('modal-demo', { maxLiveSandboxes: 5, blockNetwork: false })
    const env = { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000' }
    const model = ['-m', 'openai/scripted-model', '--model-base-url', llm.url]
    const r = await runCli(
      ['run', '-s', 'demo', '-r', 'textkit_task', '-f', '1,2', '--git', '--backend', 'modal-standin', '-c', '2', ...model, ...dataset],
      w.options({ env, timeoutMs: 900_000 }),
    )
    expect(r.code, describeResult(r)).toBe(0)
    const [run] = await readdir(w.logs)
    expect(run, 'the default run name').toBe('coop-msa-git-modal-standin-scripted-model-demo-textkit')
    expect(await readJson(join(w.logs, run!, 'summary.json'))).toMatchObject({ total_tasks: 2, completed: 2, eval: { errors: 0 } })
    const modalPairs = await pairDirs(w.logs, run!, 'coop')
    expect(modalPairs).toHaveLength(2)
    for (const dir of modalPairs) {
      const result = await readJson(join(dir, 'result.json'))
      expect([result.agents.agent1.status, result.agents.agent2.status], dir).toEqual(['Submitted', 'Submitted'])
    }
    expectPairsAsExpected(modalPairs, 'coop')
    // Pair labels (`repo/task/1,2`) are not Modal tags as they are: their originals are kept.
    const originals = Object.values(await readJson(join(w.logs, run!, 'modal-tags.json'))) as Array<{ key: string; value: string }>
    expect(originals).toContainEqual({ key: 'cooperbench.pair', value: 'textkit_task/7/1,2' })
    expect(containersOf(run!)).toEqual([])
    const listed = await runCli(['sandboxes', 'list', '--backend', 'modal-standin'], w.options())
    expect(listed.code, describeResult(listed)).toBe(0)
    expect(listed.stdout).not.toContain(run!)
  }, 1_500_000)

  it('config modal-standin: the live test creates, runs and terminates a sandbox, printing latencies, and writes the settings', async () => {
    const w = await standinWorkdir('modal-config-live')
    const r = await runCli(['config', 'modal-standin', '-r', 'textkit_task', '-t', '7', '--default', ...dataset], w.options({ timeoutMs: 120_000 }))
    expect(r.code, describeResult(r)).toBe(0)
    expect(r.stdout).toMatch(/^ok {3}sandbox: sb-\S+ of \S+textkit:task7 created in \d+\.\d+ s$/m)
    expect(r.stdout).toMatch(/^ok {3}exec: `git rev-parse --short HEAD` → [0-9a-f]+ in /m)
    expect(r.stdout).toMatch(/^ok {3}terminate: /m)
    const config = await readJson(join(w.cwd, 'cooperbench.config.json'))
    expect(config).toMatchObject({
      backend: 'modal-standin',
      plugins: ['./modal-standin.mjs'],
      backends: { 'modal-standin': { blockNetwork: true, appName: 'cooperbench' } },
    })
    expect(containersOf('cooperbench-config-smoke')).toEqual([])
  }, 180_000)

  it('Ctrl+C in the middle of a run (pairs in flight, more queued) exits 130 and leaves no sandbox of the run', async () => {
    const w = await standinWorkdir('modal-sigint')
    // Six pairs, three at a time: when the first pair is done, two are in flight and three not
    // started, so the interrupt always lands mid-run.
    const cli = startCli(
      ['run', '-s', 'demo', '-r', 'textkit_task', '-t', '12', '-a', 'oracle', '--backend', 'modal-standin', '-n', 'mint', '-c', '3', ...dataset],
      w.options({ timeoutMs: 300_000 }),
    )
    await cli.waitForStderr(/ ✓ .* complete in /, 120_000)
    cli.child.kill('SIGINT')
    const r = await cli.result
    expect(r.code, describeResult(r)).toBe(130)
    expect((await readJson(join(w.logs, 'mint', 'summary.json'))).interrupted).toBe(true)
    expect(containersOf('mint')).toEqual([])
  }, 300_000)
})
