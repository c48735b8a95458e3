import { cp, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { finalTurn, goldDatasetScript, startScriptedLlmServer } from '@cooperbench/testkit/llm-server'
import { describe, expect, it } from 'vitest'
import { verifyBundle } from '../../dist/index.js'
import { bundleDemoRuns } from './bundle-demo-runs.js'
import {
  countPluginLoads,
  DEMO_DATASET,
  describeResult,
  hermeticApiCalls,
  leftoverSandboxes,
  makeWorkdir,
  requireLocalBackend,
  runCli,
  wilson,
  type Workdir,
} from './helpers.js'

// verifyBundle and bundleRuns run in this process: without the caller's COOPERBENCH_* or plugins.
hermeticApiCalls()

/**
 * `verify --rerun K`: a verified bundle's pairs run again with the claimed agent and model (the
 * scripted model, served by the test; the verifier names its URL), evaluated, and compared with
 * the bundle's verdicts. One extra run, made here once: mini_swe_agent alone on the six pairs of
 * textkit_task 12 (`--setting solo`; all pass with the gold script), bundled with the shared
 * `msa-coop` (one coop pair, which fails, agents messaging) so the draw holds both verdicts.
 */
const KEY = { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000' }
const SOLO_RUN = 'msa-solo-12'
let w: Workdir
let bundles: { mixed: string; solo: string } | undefined

async function cli(args: string[]) {
  return runCli(args, { cwd: w.cwd, tmp: w.tmp, env: KEY, timeoutMs: 900_000 })
}

/** A scripted model server for the test's length: the gold script, or one that submits at once (no patch: every pair fails). */
async function withServer<T>(script: 'gold' | 'submits-nothing', use: (url: string) => Promise<T>): Promise<T> {
  const server = await startScriptedLlmServer({ script: script === 'gold' ? await goldDatasetScript(DEMO_DATASET) : () => finalTurn() })
  try {
    return await use(server.url)
  } finally {
    await server.close()
  }
}

/** The two bundles: `mixed` (msa-coop and the solo run, 7 pairs, 6 passing), `solo` (the solo run alone, 6 passing). */
async function rerunBundles() {
  if (bundles) return bundles
  w = await makeWorkdir('verify-rerun', 'file')
  const logs = join(w.cwd, 'logs')
  await cp(join((await bundleDemoRuns()).logs, 'msa-coop'), join(logs, 'msa-coop'), { recursive: true })
  await withServer('gold', async (url) => {
    const model = ['-m', 'openai/scripted-model', '--model-base-url', url]
    const r = await cli(['run', '-n', SOLO_RUN, '--setting', 'solo', '-r', 'textkit_task', '-t', '12', '--dataset-dir', DEMO_DATASET, ...model])
    expect(r.code, describeResult(r)).toBe(0)
  })
  const bundle = async (name: string, runs: string[]) => {
    const file = join(w.cwd, `${name}.tar.gz`)
    const r = await cli(['bundle', ...runs.flatMap((run) => ['-n', run]), '--log-dir', logs, '--dataset-dir', DEMO_DATASET, '-o', file])
    expect(r.code, describeResult(r)).toBe(0)
    return file
  }
  bundles = { mixed: await bundle('mixed', ['msa-coop', SOLO_RUN]), solo: await bundle('solo', [SOLO_RUN]) }
  return bundles
}

/**
 * What the reruns leave in TMPDIR: nothing but the local backend's kept bundle cache, and the module
 * cache of jiti, which loads the config file's plugin of `countPluginLoads`.
 */
async function expectTmpClean() {
  expect(
    (await readdir(w.tmp)).filter((name) => name !== 'cooperbench-local' && name !== 'jiti'),
    'TMPDIR after verify --rerun',
  ).toEqual([])
  expect(await leftoverSandboxes(w.sandboxRoot)).toEqual([])
}

describe('verify --rerun runs drawn pairs again under the claim and compares', () => {
  it("reruns 5 pairs of the scripted model's runs offline: all agree, the bundle's rate inside the reruns' interval; exit 0; plugins loaded once", async (ctx) => {
    requireLocalBackend(ctx)
    const { mixed } = await rerunBundles()
    const loads = await countPluginLoads(w.cwd)
    const r = await withServer('gold', (url) =>
      cli(['verify', mixed, '--dataset-dir', DEMO_DATASET, '--rerun', '5', '--seed', '3', '--model-base-url', url, '--json']),
    )
    expect(r.code, describeResult(r)).toBe(0)
    const { pairs, rerun } = JSON.parse(r.stdout)
    expect(pairs, 'every pair verified first').toBe(7)
    expect(rerun.seed).toBe(3)
    expect(rerun.asked).toBe(5)
    expect(rerun.pairs).toHaveLength(5)
    expect(new Set(rerun.pairs.map((p: { pair: string }) => p.pair)).size, 'five distinct pairs').toBe(5)
    for (const p of rerun.pairs) expect(p.pair).toMatch(/^(msa-coop\/coop\/textkit_task\/7\/f1_f2|msa-solo-12\/solo\/textkit_task\/12\/f\d_f\d)$/)
    expect(rerun.pairs.map((p: { rerun: string; bundled: string }) => p.rerun)).toEqual(rerun.pairs.map((p: { bundled: string }) => p.bundled))
    expect(rerun).toMatchObject({ agree: 5, disagree: 0, errors: 0, bundleRate: 6 / 7, bundleRateInside: true })
    const passes = rerun.pairs.filter((p: { rerun: string }) => p.rerun === 'pass').length
    expect(rerun.rerunRate).toBe(passes / 5)
    expect(rerun.interval.low).toBeCloseTo(wilson(passes, 5).low, 6)
    expect(rerun.interval.high).toBeCloseTo(wilson(passes, 5).high, 6)
    expect(await loads(), 'the plugins are loaded once for the two evaluations and the five reruns').toBe(1)
    await expectTmpClean()
  }, 1_200_000)

  it("a bundle whose claimed model now fails the tasks: 5 of 5 reruns disagree, the bundle's rate outside their interval, the seed printed", async (ctx) => {
    requireLocalBackend(ctx)
    const { solo } = await rerunBundles()
    const r = await withServer('submits-nothing', (url) => cli(['verify', solo, '--dataset-dir', DEMO_DATASET, '--rerun', '5', '--model-base-url', url]))
    expect(r.code, `reruns are evidence, not a verdict of verify: ${describeResult(r)}`).toBe(0)
    expect(r.stdout).toMatch(/verified .*: 1 run\(s\), 6 pairs evaluated again with the same verdicts/)
    expect(r.stdout).toMatch(/^reran 5 pair\(s\) drawn with --seed \d+ under the bundle's claim:$/m)
    expect(r.stdout).toContain("  0 of 5 agree with the bundle's verdicts, 5 disagree, 0 could not be rerun")
    expect(r.stdout.match(/^ {2}differs msa-solo-12\/solo\/textkit_task\/12\/f\d_f\d: pass in the bundle, fail when rerun$/gm)).toHaveLength(5)
    expect(r.stdout).toContain('  reruns pass 0.0% (95% Wilson interval 0.0%–43.4%), the bundle 100.0% on the same pairs')
    expect(r.stdout).toContain("  the bundle's rate over all its judged pairs, 100.0%, is OUTSIDE the reruns' interval")
    await expectTmpClean()
  }, 1_200_000)

  it('stopped while it evaluates (Ctrl+C), verify ends with the stop, never with a pair "without a verdict" that a leaderboard would publish', async (ctx) => {
    requireLocalBackend(ctx)
    const { solo } = await rerunBundles()
    // One pair at a time, stopped when the first is judged: five are left unjudged.
    const stop = new AbortController()
    const ended = await verifyBundle({
      file: solo,
      datasetDir: DEMO_DATASET,
      cwd: w.cwd,
      concurrency: 1,
      signal: stop.signal,
      onEvent: (event) => {
        if (event.type === 'evalFinished') stop.abort(new DOMException('interrupted by SIGINT', 'AbortError'))
      },
    }).then(
      () => 'verified',
      (error: unknown) => error,
    )
    expect(ended).toBeInstanceOf(DOMException)
    expect((ended as DOMException).name).toBe('AbortError')
  }, 600_000)
})
