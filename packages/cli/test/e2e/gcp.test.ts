import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readdir, writeFile } from 'node:fs/promises'
import { userInfo } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { finalTurn, startScriptedLlmServer, textTurn, toolCall } from '@cooperbench/testkit/llm-server'
import { type FeatureRef, featureIndex, heredoc } from './gold-features.js'
import { expectPairsAsExpected } from './expected-verdicts.js'
import { buildDemoImages, DEMO_DATASET, describeResult, makeWorkdir, pairDirs, readJson, REPO_ROOT, runCli, startCli, type Workdir } from './helpers.js'

/**
 * Backend `gcp` through the CLI. Without Application Default Credentials: refused before
 * anything is written. With the stand-in (`@cooperbench/standins/gcp`; backend `gcp-standin` of
 * `@cooperbench/dev-tools/gcp-standin`): the real gcp backend and Google's Compute client against
 * a Compute REST stand-in whose VMs are local sshd hosts in front of this machine's Docker engine.
 */
const engine = spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0
const sshd = existsSync('/usr/sbin/sshd')
const root = process.getuid?.() === 0
const problem = !engine
  ? 'no Docker engine answers'
  : !sshd
    ? 'sshd is not installed (openssh-server)'
    : !root
      ? 'the stand-in VMs run sshd, which needs root'
      : null
if (problem && process.env.CI) throw new Error(`${problem}, and CI is set: the gcp stand-in e2e tests must run`)

const STANDIN = pathToFileURL(join(REPO_ROOT, 'packages', 'standins', 'dist', 'gcp', 'index.js')).href
const STANDIN_PLUGIN = pathToFileURL(join(REPO_ROOT, 'packages', 'dev-tools', 'dist', 'gcp-standin.js')).href
const dataset = ['--dataset-dir', DEMO_DATASET]

function containersOf(run: string): string[] {
  return spawnSync('docker', ['ps', '-aq', '--filter', `label=cooperbench.run=${run}`], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean)
}

/** Containers the Batch stand-in runs for jobs of a run (a job's name holds the run's label). */
function batchContainersOf(run: string): string[] {
  const jobs = spawnSync('docker', ['ps', '-a', '--filter', 'label=cooperbench.standin-batch', '--format', '{{.Label "cooperbench.standin-batch"}}'], {
    encoding: 'utf8',
  }).stdout
  return jobs.split('\n').filter((job) => job.includes(`/jobs/cb-eval-${run}-`))
}

/** sshd processes of stand-in VMs of this workdir's CLI runs still running (the stand-in keeps its VMs under the child's TMPDIR). */
function standinVms(w: Workdir): string[] {
  return spawnSync('pgrep', ['-f', join(w.tmp, 'cooperbench-fake-compute-')], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean)
}

/** A model that, as each coop agent, applies its feature's gold patch with a heredoc and submits. */
function goldCoopModel(features: FeatureRef[]) {
  type Message = { role: string; content?: unknown }
  return async (request: { body: { messages: Message[]; tools?: unknown[] } }) => {
    if (!request.body.tools?.length) return textTurn('Summary: nothing to add.')
    const first = request.body.messages.find((m) => m.role === 'user')?.content
    const task = typeof first === 'string' ? first : JSON.stringify(first ?? '')
    const mine = features.filter((f) => task.includes(f.spec))
    if (mine.length !== 1) return textTurn(`cannot tell which feature this is (${mine.length} matched)`)
    const steps = request.body.messages.filter((m) => m.role === 'assistant').length
    return [toolCall(`${heredoc('/tmp/gold.patch', mine[0]!.gold)}\ngit apply /tmp/gold.patch && rm /tmp/gold.patch`), finalTurn()][Math.min(steps, 1)]!
  }
}

async function standinWorkdir(prefix: string, gcp: Record<string, unknown> = {}): Promise<Workdir> {
  const w = await makeWorkdir(prefix)
  await writeFile(join(w.cwd, 'gcp-standin.mjs'), `import { gcpStandinPlugin } from ${JSON.stringify(STANDIN_PLUGIN)}\nexport default gcpStandinPlugin()\n`)
  const config = {
    plugins: ['./gcp-standin.mjs'],
    backends: {
      'gcp-standin': { blockNetwork: true, poolSize: 3, sandboxesPerVm: 4, cpusPerSandbox: 1, memoryMiBPerSandbox: 1024, ...gcp },
      docker: { network: 'none', buildNetwork: 'none', pull: 'never' },
    },
  }
  await writeFile(join(w.cwd, 'cooperbench.config.json'), JSON.stringify(config))
  return w
}

describe('backend gcp without credentials', () => {
  // Listed without credentials: unit/plugin-lists.test.ts.
  it('a run exits non-zero with one line naming `gcloud auth application-default login`, writing nothing under logs/', async () => {
    const w = await makeWorkdir('gcp-noadc')
    const env = { HOME: w.cwd, GOOGLE_APPLICATION_CREDENTIALS: '', CLOUDSDK_CONFIG: join(w.cwd, 'gcloud') }
    const r = await runCli(['run', '-s', 'demo', '-a', 'oracle', '--backend', 'gcp', ...dataset], w.options({ env }))
    expect(r.code, describeResult(r)).not.toBe(0)
    expect(r.stderr.split('\n').filter((line) => line.startsWith('error:'))).toEqual([
      expect.stringMatching(/^error: no Google Application Default Credentials/),
    ])
    expect(r.stderr).toMatch(/^hint: Run `gcloud auth application-default login`/m)
    expect(existsSync(w.logs) ? await readdir(w.logs) : []).toEqual([])
  })

  it('config gcp --skip-tests --project P --zone Z writes the settings without contacting anything; without --skip-tests it needs ADC', async () => {
    const w = await makeWorkdir('gcp-config')
    const env = { HOME: w.cwd, GOOGLE_APPLICATION_CREDENTIALS: '', CLOUDSDK_CONFIG: join(w.cwd, 'gcloud'), GOOGLE_CLOUD_PROJECT: '' }
    const r = await runCli(['config', 'gcp', '--skip-tests', '--project', 'my-project', '--zone', 'europe-west4-a'], w.options({ env }))
    expect(r.code, describeResult(r)).toBe(0)
    expect(r.stdout).toMatch(/^warn credentials: none found at .*gcloud auth application-default login/m)
    expect(await readJson(join(w.cwd, 'cooperbench.config.json'))).toEqual({ backends: { gcp: { project: 'my-project', zone: 'europe-west4-a' } } })
    const live = await runCli(['config', 'gcp', '--dataset-dir', DEMO_DATASET], w.options({ env }))
    expect(live.code, describeResult(live)).not.toBe(0)
    expect(live.stderr).toMatch(/^error: no Google Application Default Credentials/m)
  }, 180_000)
})

describe.skipIf(problem)(`backend gcp through the Compute stand-in${problem ? ` (${problem})` : ''}`, () => {
  beforeAll(async () => {
    // The stand-in's VMs use this machine's engine, where the task images are built as a user would push them.
    await buildDemoImages()
  }, 900_000)

  it('the default agent (a scripted model) with --git, a default run name and -c above capacity: coop on the VM pool, each pair sharing its remote on its VM, `eval` on Batch; the committed verdicts; nothing left', async () => {
    const w = await standinWorkdir('gcp-demo', { poolSize: 2, sandboxesPerVm: 2 })
    const llm = await startScriptedLlmServer({ script: goldCoopModel(await featureIndex()) as never })
    try {
      // The three demo pairs of confkit task 5 (a conflicting merge and two clean ones) at -c 16: six agent
      // sandboxes for two VMs of 2 places. With --git a pair takes its two places on one VM together (its
      // remote lives there), so the pool runs two pairs at once, one on each VM, and the third waits for
      // a place. Nothing here differs by task: which image a sandbox runs is the backend's only part in
      // it. Without --git, a coop pair on the VM pool runs in openhands-remote.test.ts.
      // No -n: the run gets its default name, coop-msa-git-gcp-standin-scripted-model-demo-confkit-5.
      const env = { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000' }
      const coop = await runCli(
        [
          'run',
          '-s',
          'demo',
          '-r',
          'confkit_task',
          '-t',
          '5',
          '--backend',
          'gcp-standin',
          '-c',
          '16',
          '-m',
          'openai/scripted-model',
          '--model-base-url',
          llm.url,
          '--no-auto-eval',
          '--git',
          ...dataset,
        ],
        w.options({ env, timeoutMs: 1_200_000 }),
      )
      expect(coop.code, describeResult(coop)).toBe(0)
      const run = 'coop-msa-git-gcp-standin-scripted-model-demo-confkit-5'
      expect(await readdir(w.logs), 'the default run name').toContain(run)
      expect(coop.stderr).toMatch(/cost estimate on gcp: at most \$\d+\.\d\d \(\d+\.\d VM-hours of e2-standard-8 at \$0\.2680\/h: \d+ sandboxes/)
      expect((await readJson(join(w.logs, run, 'summary.json'))).backend_usage.vm_seconds).toBeGreaterThan(0)
      const batch = await runCli(['eval', '-n', run, '--backend', 'gcp-standin', ...dataset], w.options({ timeoutMs: 900_000 }))
      expect(batch.code, describeResult(batch)).toBe(0)
      expect(batch.stderr).toMatch(/^batch .*\d+ succeeded/m)
      expect(await readJson(join(w.logs, run, 'eval_summary.json'))).toMatchObject({ total_runs: 3, errors: 0 })
      const gcpPairs = await pairDirs(w.logs, run, 'coop')
      expect(gcpPairs).toHaveLength(3)
      for (const dir of gcpPairs) {
        const { agents } = await readJson(join(dir, 'result.json'))
        // On failure, the agent records say why (error, status), not only that it was not Submitted.
        expect(
          Object.values(agents).map((agent: any) => agent.status),
          `${dir}\n${JSON.stringify(agents, null, 1).slice(0, 4000)}`,
        ).toEqual(['Submitted', 'Submitted'])
      }
      expectPairsAsExpected(gcpPairs, 'coop')
      expect(containersOf(run)).toEqual([])
      expect(batchContainersOf(run)).toEqual([])
      expect(standinVms(w)).toEqual([])
    } finally {
      await llm.close()
    }
  }, 2_400_000)

  it('config gcp with Application Default Credentials (an external_account file whose token exchange is the stand-in’s) on the real gcp backend: APIs checked and a disabled one enabled, the bucket created, a VM and a sandbox made and deleted, cost reported, settings written', async () => {
    const { startGoogleStandin } = (await import(STANDIN)) as typeof import('@cooperbench/standins/gcp')
    // A fresh project reached with user credentials: Compute and Batch off, Service Usage needing a quota project.
    const standin = await startGoogleStandin({ userCredentials: true })
    try {
      standin.services.disable('compute.googleapis.com')
      standin.services.disable('batch.googleapis.com')
      const w = await makeWorkdir('gcp-adc')
      await writeFile(join(w.cwd, 'subject-token'), 'subject-token-from-an-identity-provider')
      const adc = {
        type: 'external_account',
        audience: '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/cb/providers/ci',
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        token_url: `${standin.endpoint}/v1/token`,
        credential_source: { file: join(w.cwd, 'subject-token') },
      }
      await writeFile(join(w.cwd, 'adc.json'), JSON.stringify(adc))
      const env = { HOME: w.cwd, GOOGLE_APPLICATION_CREDENTIALS: join(w.cwd, 'adc.json'), CLOUDSDK_CONFIG: join(w.cwd, 'gcloud') }
      const sets = [
        `apiEndpoint=${standin.endpoint}`,
        `sshPort=${standin.sshPort}`,
        `sshUser=${userInfo().username}`,
        'blockNetwork=true',
        'cpusPerSandbox=1',
        'memoryMiBPerSandbox=1024',
      ].flatMap((s) => ['--set', s])
      const r = await runCli(
        ['config', 'gcp', '--project', 'adc-project', '--zone', 'us-central1-a', ...sets, ...dataset],
        w.options({ env, timeoutMs: 300_000 }),
      )
      expect(r.code, describeResult(r)).toBe(0)
      expect(r.stdout).toMatch(/credentials: GOOGLE_APPLICATION_CREDENTIALS/)
      expect(r.stdout).toMatch(/api compute\.googleapis\.com: was off, enabled now/)
      expect(r.stdout).toMatch(/api batch\.googleapis\.com: was off, enabled now/)
      expect(r.stdout).toMatch(/bucket gs:\/\/adc-project-cooperbench: created in us-central1/)
      expect(r.stdout).toMatch(/batch: test job cb-check-[0-9a-f]+ ran as the project's Compute Engine default service account in \d+\.\d\d s/)
      expect(r.stdout).toMatch(/cost: \d+ VM-seconds of e2-standard-8, about \$\d+\.\d{4} on demand/)
      expect(standin.sts.exchanged).toContain('subject-token-from-an-identity-provider')
      expect(standin.services.isEnabled('batch.googleapis.com')).toBe(true)
      expect(standin.storage.hasBucket('adc-project-cooperbench')).toBe(true)
      expect(standin.compute.vms()).toEqual([])
      expect(await readJson(join(w.cwd, 'cooperbench.config.json'))).toMatchObject({
        backends: { gcp: { project: 'adc-project', zone: 'us-central1-a', bucket: 'adc-project-cooperbench', apiEndpoint: standin.endpoint } },
      })
    } finally {
      await standin.close()
    }
  }, 400_000)

  it('Ctrl+C in the middle of a run (pairs in flight on two VMs, more queued) exits 130 and leaves no container and no VM', async () => {
    const w = await standinWorkdir('gcp-sigint')
    // Six pairs, three at a time (six agent sandboxes on VMs of 4 places): when the first pair is
    // done, two are in flight and three not started, so the interrupt always lands mid-run.
    const cli = startCli(
      ['run', '-s', 'demo', '-r', 'textkit_task', '-t', '12', '-a', 'oracle', '--backend', 'gcp-standin', '-n', 'gint', '-c', '3', ...dataset],
      w.options({ timeoutMs: 300_000 }),
    )
    await cli.waitForStderr(/ ✓ .* complete in /, 240_000)
    cli.child.kill('SIGINT')
    const r = await cli.result
    expect(r.code, describeResult(r)).toBe(130)
    expect((await readJson(join(w.logs, 'gint', 'summary.json'))).interrupted).toBe(true)
    expect(containersOf('gint')).toEqual([])
    expect(standinVms(w)).toEqual([])
  }, 400_000)
})
