import { fileURLToPath } from 'node:url'
import { randomBytes } from 'node:crypto'
import { SANDBOX_LABELS, type Task } from '@cooperbench/spec'
import { afterAll, describe, expect, it } from 'vitest'
import { findModalCredentials, ModalBackend } from '../src/index.js'
import { recordLiveResults } from '@cooperbench/testkit'

/**
 * Against Modal itself, only when credentials exist (MODAL_TOKEN_ID/MODAL_TOKEN_SECRET or
 * ~/.modal.toml); skipped otherwise, CI included. It uses a pushed task image of the reference
 * (MODAL_LIVE_IMAGE to choose another) and Modal's free tier is enough:
 *
 *   MODAL_TOKEN_ID=ak-… MODAL_TOKEN_SECRET=as-… pnpm exec vitest run packages/backend-modal/test/live.test.ts
 */
const credentials = await findModalCredentials().catch(() => null)
const skip = credentials ? false : 'no Modal credentials (MODAL_TOKEN_ID/MODAL_TOKEN_SECRET or ~/.modal.toml)'
const image = process.env.MODAL_LIVE_IMAGE || 'akhatua/cooperbench-pallets-jinja:task1621'
// A run name and pair label Modal cannot take as they are (`/`, `,`): the backend sanitises them.
const runName = `cb-modal-live/${randomBytes(3).toString('hex')}`

// A task as the harness sees one; the base commit is left out so any pushed task image will do.
const task = {
  repo: 'pallets_jinja_task',
  taskId: 1621,
  dir: '.',
  features: [],
  source: { baseCommit: null },
} as unknown as Task

describe.skipIf(skip)(`backend modal against Modal${skip ? ` (${skip})` : ''}`, () => {
  // The last real result, which docs/live-results/README.md points to.
  recordLiveResults(
    fileURLToPath(new URL('../../../docs/live-results/modal.json', import.meta.url)),
    'backend modal against Modal',
    'MODAL_TOKEN_ID=… MODAL_TOKEN_SECRET=… pnpm exec vitest run packages/backend-modal/test/live.test.ts',
  )
  const backend = new ModalBackend({ appName: 'cooperbench-live-test', cpu: 1, memoryMiB: 1024, sandboxTimeoutSeconds: 600 })
  afterAll(async () => {
    await backend.reap({ runName, includeLive: true }).catch(() => {})
    await backend.close()
  })

  it('creates a tagged V1 sandbox, runs commands with a real timeout and abort, moves files both ways, and terminates it', async () => {
    await backend.preflight()
    const labels = { [SANDBOX_LABELS.run]: runName, [SANDBOX_LABELS.role]: 'eval', [SANDBOX_LABELS.pair]: 'pallets_jinja_task/1621/1,2' }
    const sandbox = await backend.createSandbox({ task, image, role: 'eval', labels })
    // The id of a V1 sandbox (the SDK tells V1 from V2 by it): the backend chooses V1 whatever MODAL_SANDBOX_V2 says.
    expect(sandbox.id).toMatch(/^sb-[0-9A-Za-z]{22}$/)
    try {
      expect((await backend.listSandboxes({ runName })).map((s) => s.id)).toContain(sandbox.id)
      const head = await sandbox.exec('git rev-parse HEAD')
      expect(head.exitCode, head.stderr).toBe(0)
      // Not whole seconds: Modal's own bound on the command is rounded up to them.
      const timed = await sandbox.exec('sleep 30', { timeoutMs: 2_500 })
      expect(timed).toMatchObject({ exitCode: -1, timedOut: true })
      const controller = new AbortController()
      setTimeout(() => controller.abort(), 1_000)
      expect(await sandbox.exec('sleep 30', { signal: controller.signal })).toMatchObject({ exitCode: -1, timedOut: true })
      const bytes = randomBytes(3 * 1024 * 1024)
      await sandbox.writeFile('/tmp/live.bin', bytes)
      expect(Buffer.from(await sandbox.readFile('/tmp/live.bin')).equals(bytes)).toBe(true)
    } finally {
      await sandbox.terminate()
    }
    expect((await backend.listSandboxes({ runName })).map((s) => s.id)).not.toContain(sandbox.id)
  }, 600_000)
})
