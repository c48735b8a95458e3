import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { SANDBOX_LABELS, type SandboxSpec, type Task } from '@cooperbench/spec'
import { mockControlPlane, TAG_PATTERN, type MockControlPlane } from '@cooperbench/standins/modal'
import { cooperbenchRejection } from '@cooperbench/testkit'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { MODAL_TAGS, ModalBackend, modalSdkPort, modalTagValue, TAG_ORIGINALS_FILE } from '../src/index.js'

/**
 * `modalSdkPort` over Modal's real SDK (`modal` 0.11), whose `ModalClient` is given a mock of its
 * control plane (`@cooperbench/standins/modal`): the requests asserted here are the messages the
 * SDK builds from what the backend asks. Exec goes to a second gRPC service (the task command
 * router) that the mock refuses, so a sandbox created here fails its startup check and is
 * terminated; commands themselves are checked by the live test.
 */
const task = { repo: 'pallets_jinja_task', taskId: 1621, dir: '.', features: [], source: { baseCommit: null } } as unknown as Task
// What the harness passes for a pair: a run name with `/`, the pair label with `/` and `,`.
const runName = 'nightly/2026-11-23 jinja'
const pairLabel = 'pallets_jinja_task/1621/1,2'

describe('modalSdkPort over the SDK with a mocked control plane', () => {
  let runDir: string
  let control: MockControlPlane
  let backend: ModalBackend
  const previous = process.env.MODAL_SANDBOX_V2

  beforeAll(async () => {
    runDir = await mkdtemp(join(tmpdir(), 'cb-modal-sdk-'))
    // Whatever the environment asks for, the backend chooses V1 (see MODAL_SANDBOX_BACKEND).
    process.env.MODAL_SANDBOX_V2 = '1'
  })
  afterAll(async () => {
    if (previous === undefined) delete process.env.MODAL_SANDBOX_V2
    else process.env.MODAL_SANDBOX_V2 = previous
    await rm(runDir, { recursive: true, force: true })
  })
  afterEach(() => backend?.close())

  const start = async (settings: ConstructorParameters<typeof ModalBackend>[0] = {}) => {
    control = mockControlPlane({ unpullable: ['cooperbench-test/never-pushed:task1'], listPageSize: 2 })
    const port = await modalSdkPort({ tokenId: 'ak-test', tokenSecret: 'as-test' }, { controlPlane: control.client })
    backend = new ModalBackend({ cpu: 1.5, memoryMiB: 2048, sandboxTimeoutSeconds: 3600, retryDelayMs: 10, ...settings, port })
  }
  const spec = (role: string, extra: Partial<SandboxSpec> = {}): SandboxSpec => ({
    task,
    image: 'akhatua/cooperbench-pallets-jinja:task1621',
    role,
    labels: { [SANDBOX_LABELS.run]: runName, [SANDBOX_LABELS.role]: role, [SANDBOX_LABELS.pair]: pairLabel },
    runDir,
    ...extra,
  })

  it('creates a V1 sandbox with Modal-valid tags, the resources and a whole-second timeout, and terminates it when its startup fails', async () => {
    await start()
    const error = await cooperbenchRejection(backend.createSandbox(spec('agent1')))
    // The startup check is an exec: the command router is live-only.
    expect(error.message).toMatch(/TaskGetCommandRouterAccess/)
    const rpcs = control.calls.map((call) => call.rpc)
    expect(rpcs).toContain('sandboxCreate')
    expect(rpcs.filter((rpc) => /V2$/.test(rpc))).toEqual([])

    const [create] = control.requests('sandboxCreate')
    const tags = Object.fromEntries(create!.tags!.map((t) => [t.tagName, t.tagValue]))
    for (const [key, value] of Object.entries(tags)) {
      expect(key).toMatch(TAG_PATTERN)
      expect(value).toMatch(TAG_PATTERN)
    }
    expect(tags).toMatchObject({
      [SANDBOX_LABELS.run]: modalTagValue(runName),
      [SANDBOX_LABELS.pair]: modalTagValue(pairLabel),
      [SANDBOX_LABELS.role]: 'agent1',
      [MODAL_TAGS.managed]: 'true',
      [MODAL_TAGS.task]: modalTagValue('pallets_jinja_task/1621'),
      [MODAL_TAGS.creatorPid]: String(process.pid),
    })
    expect(create!.definition).toMatchObject({
      timeoutSecs: 3600,
      workdir: '/workspace/repo',
      resources: { milliCpu: 1500, memoryMb: 2048 },
      // NetworkAccess OPEN: blockNetwork is false by default.
      networkAccess: { networkAccessType: 1 },
      openPorts: { ports: [] },
    })
    expect(Number.isInteger(create!.definition!.timeoutSecs)).toBe(true)
    // Images come from the task's registry with the entrypoint cleared.
    expect(control.requests('imageGetOrCreate').flatMap((r) => r.image?.dockerfileCommands ?? [])).toEqual(
      expect.arrayContaining(['FROM akhatua/cooperbench-pallets-jinja:task1621', 'ENTRYPOINT []']),
    )
    const created = control.calls.find((call) => call.rpc === 'sandboxGetTaskId')!.request as { sandboxId: string }
    expect(control.requests('sandboxTerminate').map((r) => r.sandboxId)).toEqual([created.sandboxId])
    expect(control.runningSandboxIds()).toEqual([])

    // The originals of the sanitised values are in the run folder.
    const originals = JSON.parse(await readFile(join(runDir, TAG_ORIGINALS_FILE), 'utf8'))
    expect(originals[`${SANDBOX_LABELS.run}=${modalTagValue(runName)}`]).toEqual({ key: SANDBOX_LABELS.run, value: runName })
    expect(originals[`${SANDBOX_LABELS.pair}=${modalTagValue(pairLabel)}`]).toEqual({ key: SANDBOX_LABELS.pair, value: pairLabel })
  }, 60_000)

  it('serves a --git server port as an unencrypted tunnel of a V1 sandbox, read back as a TCP socket', async () => {
    // The git server sandbox itself starts with an exec (live-only): its creation is asked of the port as the backend asks it.
    await start()
    const { port, app, image } = await portParts()
    const server = await port.createSandbox(app, image, { timeoutMs: 600_000, workdir: '/workspace/repo', unencryptedPorts: [24_418] })
    const [create] = control.requests('sandboxCreate')
    expect(create!.definition!.openPorts!.ports).toEqual([expect.objectContaining({ port: 24_418, unencrypted: true })])
    const tunnel = (await server.tunnels(60_000))[24_418]
    const [host, publicPort] = tunnel!.tcpSocket
    expect(host).toMatch(/\.modal\.host$/)
    expect(publicPort).toBeGreaterThan(0)
    expect(control.calls.filter((call) => /V2$/.test(call.rpc))).toEqual([])
    await server.terminate()
    expect(control.runningSandboxIds()).toEqual([])
  }, 60_000)

  it('lists and reaps a run by its sanitised name through SandboxList, paging, and terminates through SandboxTerminate', async () => {
    await start()
    await backend.preflight()
    const { port, app, image } = await portParts()
    const leftover = (run: string, pid: string) =>
      port.createSandbox(app, image, {
        timeoutMs: 600_000,
        tags: {
          [SANDBOX_LABELS.run]: modalTagValue(run),
          [MODAL_TAGS.managed]: 'true',
          [MODAL_TAGS.creatorPid]: pid,
          [MODAL_TAGS.creatorHost]: modalTagValue(hostname()),
        },
      })
    // Three of the run (more than a page), one of another run whose name sanitises to the same characters.
    const ours = await Promise.all([leftover(runName, '999999'), leftover(runName, '999998'), leftover(runName, '999997')])
    const other = await leftover('nightly_2026-11-23_jinja', '999996')
    const listed = await backend.listSandboxes({ runName })
    expect(listed.map((s) => s.id).sort()).toEqual(ours.map((s) => s.sandboxId).sort())
    expect(listed.every((s) => s.ownerAlive === false)).toBe(true)
    const lists = control.requests('sandboxList')
    expect(lists.length).toBeGreaterThanOrEqual(3)
    expect(lists[0]).toMatchObject({ appId: app.appId, includeFinished: false })
    expect(Object.fromEntries(lists[0]!.tags!.map((t) => [t.tagName, t.tagValue]))).toEqual({
      [MODAL_TAGS.managed]: 'true',
      [SANDBOX_LABELS.run]: modalTagValue(runName),
    })
    expect(await backend.reap({ runName })).toBe(3)
    expect(
      control
        .requests('sandboxTerminate')
        .map((r) => r.sandboxId)
        .sort(),
    ).toEqual(ours.map((s) => s.sandboxId).sort())
    expect(control.runningSandboxIds()).toEqual([other.sandboxId])
  }, 60_000)

  it('names the image when Modal cannot pull it', async () => {
    await start()
    const error = await cooperbenchRejection(backend.createSandbox(spec('eval', { image: 'cooperbench-test/never-pushed:task1' })))
    expect(error.code).toBe('SANDBOX_FAILED')
    expect(error.message).toMatch(/Modal cannot pull image cooperbench-test\/never-pushed:task1/)
    expect(control.requests('sandboxCreate')).toEqual([])
  }, 60_000)

  /** The port, app and image the backend uses, reached as a test would reach a second process's. */
  async function portParts() {
    const port = await modalSdkPort({ tokenId: 'ak-test', tokenSecret: 'as-test' }, { controlPlane: control.client })
    const app = await port.appFromName('cooperbench', { createIfMissing: true })
    const image = await port.imageFromRegistry('akhatua/cooperbench-pallets-jinja:task1621', null)
    return { port, app, image }
  }
})
