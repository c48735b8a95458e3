import { fileURLToPath } from 'node:url'
import { randomBytes } from 'node:crypto'
import type { ScriptedJobOutcome } from '@cooperbench/spec'
import { SANDBOX_LABELS, type Task } from '@cooperbench/spec'
import { afterAll, describe, expect, it } from 'vitest'
import { findGcpCredentials, GcpBackend } from '../src/index.js'
import { recordLiveResults } from '@cooperbench/testkit'

/**
 * Against Google itself, only when Application Default Credentials and a project exist; skipped
 * otherwise, CI included. It uses a pushed task image of the reference (GCP_LIVE_IMAGE to choose
 * another), one e2-small VM for a few minutes and a one-task Batch job (cents):
 *
 *   gcloud auth application-default login
 *   GCP_LIVE_PROJECT=my-project [GCP_LIVE_ZONE=us-central1-a] pnpm exec vitest run packages/backend-gcp/test/live.test.ts
 */
const project = process.env.GCP_LIVE_PROJECT
const credentials = project ? await findGcpCredentials(project).catch(() => null) : null
const skip = !project ? 'GCP_LIVE_PROJECT is not set' : !credentials ? 'no Google Application Default Credentials' : false
const image = process.env.GCP_LIVE_IMAGE || 'akhatua/cooperbench-pallets-jinja:task1621'
const runName = `cb-gcp-live-${randomBytes(3).toString('hex')}`
const task = { repo: 'pallets_jinja_task', taskId: 1621, dir: '.', features: [], source: { baseCommit: null } } as unknown as Task

describe.skipIf(skip)(`backend gcp against Google${skip ? ` (${skip})` : ''}`, () => {
  // The last real result, which docs/live-results/README.md points to.
  recordLiveResults(
    fileURLToPath(new URL('../../../docs/live-results/gcp.json', import.meta.url)),
    'backend gcp against Google',
    'GCP_LIVE_PROJECT=… pnpm exec vitest run packages/backend-gcp/test/live.test.ts (after gcloud auth application-default login)',
  )
  const backend = new GcpBackend({
    project: project!,
    zone: process.env.GCP_LIVE_ZONE || 'us-central1-a',
    machineType: 'e2-standard-2',
    poolSize: 1,
    cpusPerSandbox: 1,
    memoryMiBPerSandbox: 3072,
    diskSizeGb: 30,
    batchPollSeconds: 10,
  })
  afterAll(async () => {
    await backend.reap({ runName, includeLive: true }).catch(() => {})
    await backend.close()
  })

  it('prepares the project (APIs, bucket), runs a sandbox on a VM with a real timeout, and deletes the VM', async () => {
    await backend.preflight()
    const prepared = await backend.prepareProject()
    expect(prepared.services.every((s) => s.state === 'ENABLED' || s.state === 'ENABLING')).toBe(true)
    const sandbox = await backend.createSandbox({ task, image, role: 'eval', labels: { [SANDBOX_LABELS.run]: runName, [SANDBOX_LABELS.role]: 'eval' } })
    try {
      expect((await sandbox.exec('git rev-parse HEAD')).exitCode).toBe(0)
      expect(await sandbox.exec('sleep 30', { timeoutMs: 2_000 })).toMatchObject({ exitCode: -1, timedOut: true })
    } finally {
      await sandbox.terminate()
    }
    expect(backend.usage().vm_seconds).toBeGreaterThan(0)
  }, 1_200_000)

  it('runs a one-task Batch job that writes its result through the bucket', async () => {
    const outcomes: ScriptedJobOutcome[] = []
    const job = {
      key: 'live',
      task,
      image,
      labels: { [SANDBOX_LABELS.run]: runName },
      files: new Map([['/patches/hello.txt', new TextEncoder().encode('hello\n')]]),
      steps: [{ script: 'cat /patches/hello.txt; git rev-parse --short HEAD', timeoutMs: 60_000 }],
      keep: [],
    }
    await backend.runScriptedJobs!([job], { signal: new AbortController().signal, onOutcome: async (_key, outcome) => void outcomes.push(outcome) })
    expect(outcomes).toHaveLength(1)
    const [outcome] = outcomes
    if (!outcome || 'error' in outcome) throw new Error(outcome ? outcome.error : 'no outcome')
    expect(Buffer.from(outcome.result.steps[0]!.output).toString()).toMatch(/^hello\n[0-9a-f]{7}/)
  }, 1_800_000)
})
