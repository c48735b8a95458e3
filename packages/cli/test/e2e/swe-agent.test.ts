import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ExitCode } from '@cooperbench/spec'
import { goldDatasetScript, startScriptedLlmServer } from '@cooperbench/testkit/llm-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse as parseYaml, stringify as toYaml } from 'yaml'
import { expectPairsAsExpected } from './expected-verdicts.js'
import {
  DEMO_DATASET,
  describeResult,
  dockerEngineAnswers,
  makeWorkdir,
  pairDirs,
  REPO_ROOT,
  readJson,
  requireLocalBackend,
  runCli,
  type Workdir,
} from './helpers.js'

/**
 * `-a swe_agent` offline, as the README's demo runs it: upstream CooperBench's own configuration
 * files and tool bundles (`../shared/upstream-swe-agent`, which CI has) and the model of `cooperbench
 * dev model-server`, which plays SWE-agent with its tools (`str_replace_editor` writes the gold
 * patches, `bash` applies them, `send_message` in coop, `submit` twice). The harness, the bundles
 * installed in each sandbox, messaging and evaluation are real.
 */
const UPSTREAM = join(REPO_ROOT, '..', 'shared', 'upstream-swe-agent')
/** Upstream's mini-SWE configuration, whose `agent:` block a new user might hand swe_agent. */
const MINI_SWE_COOP = join(REPO_ROOT, '..', 'shared', 'upstream-configs', '0.0.14-eb2075e', 'coop.yaml')
const missing = existsSync(join(UPSTREAM, 'config', 'coop.yaml')) ? false : `upstream's swe_agent files are not at ${UPSTREAM}`
const engine = dockerEngineAnswers('the swe_agent docker e2e')
const env = { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000' }
let server: Awaited<ReturnType<typeof startScriptedLlmServer>>

beforeAll(async () => {
  server = await startScriptedLlmServer({ script: await goldDatasetScript(DEMO_DATASET) })
})
afterAll(() => server?.close())

async function workdir(prefix: string, extra: Record<string, unknown> = {}): Promise<Workdir> {
  const w = await makeWorkdir(prefix)
  const config = {
    agents: { swe_agent: { config_root: UPSTREAM } },
    backends: { docker: { network: 'none', buildNetwork: 'none', pull: 'never' } },
    ...extra,
  }
  await writeFile(join(w.cwd, 'cooperbench.config.json'), JSON.stringify(config))
  return w
}

/** `run` with the scripted model and upstream's `coop.yaml` or `default.yaml`; the model has no price, so no cost limit (SWE-agent refuses one). */
const sweRun = (name: string, file: 'coop' | 'default', ...args: string[]) => [
  'run',
  '-a',
  'swe_agent',
  '-n',
  name,
  '--dataset-dir',
  DEMO_DATASET,
  '-m',
  'openai/scripted-model',
  '--model-base-url',
  server.url,
  '--agent-config',
  join(UPSTREAM, 'config', `${file}.yaml`),
  '--cost-limit',
  '0',
  ...args,
]

/** The run's one pair: every agent submitted after SWE-agent's steps, on the patch upstream's adapter takes; the verdict is the oracle's. */
async function expectSubmitted(w: Workdir, run: string, setting: 'coop' | 'solo', steps: number): Promise<string[]> {
  const dirs = await pairDirs(w.logs, run, setting)
  expect(dirs).toHaveLength(1)
  expectPairsAsExpected(dirs, setting)
  for (const dir of dirs) {
    const result = await readJson(join(dir, 'result.json'))
    for (const agent of setting === 'solo' ? [result.agent] : Object.values(result.agents))
      expect(agent, dir).toMatchObject({ status: 'Submitted', steps, patch_source: 'adapter_diff' })
    expect(result).toMatchObject({ agent_framework: 'swe_agent', prompt_source: expect.stringMatching(/^reference-config:sha256:[0-9a-f]{64}$/) })
  }
  return dirs
}

describe.skipIf(missing)(`swe_agent with upstream's files and the dev model server${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it('solo and coop on local, a pair each, reach the oracle’s verdicts; the report reads both runs', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await workdir('swe-local')
    const options = w.options({ env, timeoutMs: 600_000 })
    // A pair each: what SWE-agent does is the same on every pair (solo: a patch file per feature and
    // the combined one, then bash, submit twice; coop: its feature's patch and a message), and every
    // task's pairs run through the harness in the oracle's tests.
    const solo = await runCli(sweRun('sw-solo', 'default', '--setting', 'solo', '-s', 'demo', '-r', 'confkit_task', '-t', '5', '-f', '1,2'), options)
    expect(solo.code, describeResult(solo)).toBe(0)
    await expectSubmitted(w, 'sw-solo', 'solo', 6)

    // Not feature 2: its gold patch ends with blank context lines, which upstream's adapter's .strip() cuts, and
    // the patch then no longer applies (upstream's loss too: loop.test.ts, reproducing-the-paper.md#swe_agent).
    const onePair = ['-s', 'demo', '-r', 'routekit_task', '-t', '8', '-f', '1,3']
    const coop = await runCli(sweRun('sw', 'coop', ...onePair), options)
    expect(coop.code, describeResult(coop)).toBe(0)
    for (const dir of await expectSubmitted(w, 'sw', 'coop', 5)) {
      // Each agent told its teammate which files it changed, with the send_message tool.
      expect((await readJson(join(dir, 'result.json'))).messages_sent, dir).toBe(2)
    }
    // The tools on the wire: SWE-agent's bash and the bundles' tools, their arguments as the bundles declare them.
    const first = server.chatRequests().find((r) => r.body.tools?.some((t) => t.function.name === 'send_message'))!
    expect(first.body.tools!.map((t) => t.function.name)).toEqual(['bash', 'str_replace_editor', 'submit', 'send_message'])
    expect(first.body.tools![1]!.function.parameters).toMatchObject({
      required: ['command', 'path'],
      properties: { view_range: { type: 'array', items: { type: 'integer' } } },
    })

    // The report reads swe_agent's runs like any other (a report across agent frameworks is the
    // report package's, on recorded runs of each: test/fixtures/agent-runs).
    const report = await runCli(['report', '-n', 'sw-solo', '-n', 'sw', '--json'], options)
    expect(report.code, describeResult(report)).toBe(0)
    const runs = JSON.stringify(JSON.parse(report.stdout))
    for (const name of ['"sw-solo"', '"sw"']) expect(runs, `the report names run ${name}`).toContain(name)
  }, 900_000)

  it.skipIf(!existsSync(MINI_SWE_COOP))(
    "refuses mini-SWE's `agent:` block before any pair runs, naming the keys swe_agent needs",
    async () => {
      const w = await workdir('swe-mini-config')
      // What a new user tries: the `agent:` block of mini-SWE's file (its templates directly under it).
      const miniSwe = parseYaml(await readFile(MINI_SWE_COOP, 'utf8'), { version: '1.1' }) as { agent: Record<string, unknown> }
      const file = join(w.cwd, 'agent.yaml')
      await writeFile(file, toYaml({ agent: miniSwe.agent }))
      const args = sweRun('sw-mini', 'coop', '-s', 'demo', '-r', 'routekit_task', '-t', '8', '-f', '1,2')
      args[args.indexOf('--agent-config') + 1] = file
      const requests = server.chatRequests().length
      const r = await runCli(args, w.options({ env, timeoutMs: 120_000 }))
      expect(r.code, describeResult(r)).toBe(ExitCode.usage)
      expect(r.stderr).toMatch(/^error: the swe_agent configuration \(the --agent-config file.*\) has no agent\.templates\.instance_template/m)
      expect(r.stderr).toMatch(/agent\.system_template and agent\.instance_template, which are mini_swe_agent's keys/)
      expect(r.stderr).toMatch(/^hint: .*agent\.templates\.system_template, agent\.templates\.instance_template .*agent\.tools\.bundles.*config\/coop\.yaml/m)
      // Refused while the run is planned: no model call, no pair ran or was scored, no run folder.
      expect(server.chatRequests()).toHaveLength(requests)
      expect(r.stdout).not.toMatch(/\[Task 1\/1\]|evaluated/)
      expect(existsSync(join(w.logs, 'sw-mini'))).toBe(false)
    },
    120_000,
  )

  it.skipIf(!engine)(
    'coop on docker, a pair, reaches the oracle’s verdict with the bundles installed in a layer of the task image',
    async () => {
      // One coop pair: the bundles in a container, not the tasks or the setting (solo is the same
      // agent with another template, run on local above), are what this adds to the local runs.
      const w = await workdir('swe-docker')
      const options = w.options({ env, timeoutMs: 600_000 })
      const coop = await runCli(sweRun('sw', 'coop', '--backend', 'docker', '-s', 'demo', '-r', 'routekit_task', '-t', '8', '-f', '1,3'), options)
      expect(coop.code, describeResult(coop)).toBe(0)
      await expectSubmitted(w, 'sw', 'coop', 5)
      // The bundles' install.sh ran once for the task image, in the layer each agent's sandbox started from (built by this
      // run or an earlier one), whose build had no network either: said there, not waited for.
      const images = spawnSync('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}'], { encoding: 'utf8' }).stdout.split('\n')
      expect(
        images.filter((name) => name.startsWith('akhatua/cooperbench-routekit:task8-swe-agent-setup-')).length,
        'the setup layer of routekit task 8',
      ).toBeGreaterThan(0)
      expect(coop.stderr).not.toMatch(/warning: docker: .* did not build/)
    },
    900_000,
  )
})
