import { hostname } from 'node:os'
import { spawnSync } from 'node:child_process'
import { PluginRegistry, applyPlugin } from '@cooperbench/core'
import { SANDBOX_LABELS, type Task } from '@cooperbench/spec'
import { silentLogger } from '@cooperbench/spec-utils'
import { cooperbenchRejection } from '@cooperbench/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ComputeFleet, type GcpBackend, type GcpBackendSettings, labelValue, vmName, VM_LABELS } from '../src/index.js'
import plugin from '../src/register.js'
import { type FakeCompute, startFakeCompute, STANDIN_VM_LABEL } from '@cooperbench/standins/gcp'
import { backendOnStandin, ensureTaskImage, imageOf, makeTaskFixture, skipReason, testToken } from './fixture.js'

describe('backend "gcp" without Google', () => {
  it('is registered with its options schema and fills the defaults', async () => {
    const registry = new PluginRegistry()
    await applyPlugin(registry, plugin.plugin)
    const backend = (await registry.create('backend', 'gcp', { options: { project: 'lab', poolSize: 2 }, logger: silentLogger })) as GcpBackend
    expect(backend).toMatchObject({ name: 'gcp', capabilities: { isolation: 'vm', network: true } })
    expect(backend.options).toMatchObject({ project: 'lab', poolSize: 2, zone: 'us-central1-a', machineType: 'e2-standard-8', sandboxesPerVm: 4 })
    await expect(
      Promise.resolve().then(() => registry.create('backend', 'gcp', { options: { sshUser: 'Not Valid' }, logger: silentLogger })),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID' })
  })

  it('labels: values GCP accepts', () => {
    expect(labelValue('Coop-OR.Gemini 3/flash')).toBe('coop-or-gemini-3-flash')
    expect(labelValue('x'.repeat(80))).toHaveLength(63)
  })

  it('VM names: what Compute accepts for any run label, default names (with `_`) included', () => {
    // The Instance resource's `name`: RFC 1035, `[a-z]([-a-z0-9]{0,61}[a-z0-9])?` (gcloud's _ValidateInstanceName).
    const valid = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/
    for (const run of ['coop-msa_v2-gpt-4o-demo', 'solo-or-gpt_5_mini', '_', '9lives', labelValue('x'.repeat(80)), 'a--b__c-']) {
      expect(vmName(labelValue(run)), run).toMatch(valid)
    }
    expect(vmName('coop-msa_v2-demo')).toMatch(/^cb-coop-msa-v2-demo-[0-9a-f]{6}$/)
  })
})

describe.skipIf(skipReason)(`backend "gcp" through the Compute stand-in${skipReason ? ` (${skipReason})` : ''}`, () => {
  let task: Task
  let removeFixture = async () => {}
  let fake: FakeCompute
  const backends: GcpBackend[] = []
  const backendFor = (settings: GcpBackendSettings = {}) => {
    const backend = backendOnStandin(fake, { sshReadyTimeoutMs: 30_000, ...settings })
    backends.push(backend)
    return backend
  }
  const spec = (role = 'agent1', run = 'gcp-test') => ({ task, image: imageOf(task), role, labels: { [SANDBOX_LABELS.run]: run, [SANDBOX_LABELS.role]: role } })

  beforeAll(async () => {
    const made = await makeTaskFixture('gcp_task')
    task = made.task
    removeFixture = made.fixture.cleanup
    await ensureTaskImage(task)
    fake = await startFakeCompute()
  }, 600_000)

  afterAll(async () => {
    for (const backend of backends) await backend.close()
    await removeFixture()
    expect(fake.vms()).toEqual([])
    await fake.close()
  })

  it('packs sandboxes onto VMs up to sandboxesPerVm, adds VMs up to poolSize, labels them, and deletes them on close; reaps VMs of the run whose creating process is gone, found by label, sparing live ones', async () => {
    // The reaping needs live VMs of a run beside a dead one: those of the packing (a VM and a sandbox fewer).
    const backend = backendFor({ poolSize: 2, sandboxesPerVm: 2 })
    const sandboxes = await Promise.all(['agent1', 'agent2', 'eval'].map((role) => backend.createSandbox(spec(role, 'gcp-pack'))))
    const vms = fake.vms()
    expect(vms).toHaveLength(2)
    expect(new Set(sandboxes.map((s) => s.vm)).size).toBe(2)
    expect(vms[0]!.labels).toMatchObject({
      [VM_LABELS.managed]: 'true',
      [VM_LABELS.run]: 'gcp-pack',
      [VM_LABELS.creatorPid]: String(process.pid),
      [VM_LABELS.creatorHost]: labelValue(hostname()),
    })
    // The insert carried the run's public key in the metadata the guest environment reads.
    expect(fake.requests.filter((r) => r.startsWith('POST') && r.endsWith('/instances'))).toHaveLength(2)
    const fleet = new ComputeFleet({ project: 'test-project', zone: 'us-central1-a', apiEndpoint: fake.endpoint, auth: testToken() })
    await fleet.create({
      name: 'cb-gcp-dead-000001',
      machineType: 'e2-standard-8',
      sourceImage: 'projects/cos-cloud/global/images/family/cos-stable',
      diskSizeGb: 10,
      network: 'global/networks/default',
      spot: false,
      labels: { [VM_LABELS.managed]: 'true', [VM_LABELS.run]: 'gcp-pack', [VM_LABELS.creatorPid]: '999999', [VM_LABELS.creatorHost]: labelValue(hostname()) },
      sshKey: 'nobody:ssh-ed25519 AAAA',
      serviceAccount: 'default',
      externalIp: true,
      tags: ['cooperbench-ssh'],
    })
    await fleet.close()
    const listed = await backend.listSandboxes({ runName: 'gcp-pack' })
    expect(Object.fromEntries(listed.map((s) => [s.id, s.ownerAlive])), 'listed by label: the live VMs alive, the dead creator’s not').toEqual({
      [vms[0]!.name]: true,
      [vms[1]!.name]: true,
      'cb-gcp-dead-000001': false,
    })
    expect(await backend.reap({ runName: 'gcp-pack' }), 'only the dead creator’s VM reaped').toBe(1)
    expect(
      fake.vms().map((vm) => vm.name),
      'the reaped VM is deleted',
    ).not.toContain('cb-gcp-dead-000001')
    for (const sandbox of sandboxes) expect((await sandbox.exec(['true'])).exitCode, 'live sandboxes spared by the reaping').toBe(0)
    await Promise.all(sandboxes.map((s) => s.terminate()))
    await backend.close()
    expect(fake.vms(), 'the pool’s VMs deleted on close').toEqual([])
  }, 180_000)

  it('one sandbox on one VM: a run name with `_` (coop-msa_v2-…) gets its VM, which runs as the service account on pd-balanced; the VMs’ ssh port is kept from listeners started after it; 24 commands run at once, past the 10 sessions OpenSSH allows on one connection', async () => {
    // Three behaviours of a VM with one sandbox, each of which cost a VM and a sandbox of its own:
    // one VM shows them all, and each expect names the one it holds.
    const { createServer } = await import('node:net')
    const squatter = createServer()
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
      squatter.once('error', resolve)
      squatter.listen(fake.sshPort, () => resolve(null))
    })
    squatter.close()
    expect(error?.code, 'a listener on all addresses (as test servers are) cannot take the VMs’ ssh port').toBe('EADDRINUSE')
    const account = 'cb-runner@test-project.iam.gserviceaccount.com'
    const backend = backendFor({ serviceAccount: account, poolSize: 1 })
    const sandbox = await backend.createSandbox(spec('agent1', 'coop-msa_v2-gpt-4o-mini-demo'))
    expect(sandbox.vm, 'a VM name Compute accepts for a run name with `_`').toMatch(/^cb-coop-msa-v2-gpt-4o-mini-demo-[0-9a-f]{6}$/)
    const vm = fake.vms().find((v) => v.name === sandbox.vm)!
    expect(vm.labels[VM_LABELS.run], 'the run label of a run name with `_`').toBe('coop-msa_v2-gpt-4o-mini-demo')
    // Its Docker pulls from private registries with this account; without one a VM has none.
    expect(vm.inserted.serviceAccounts, 'the VM runs as the service account').toEqual([
      { email: account, scopes: ['https://www.googleapis.com/auth/cloud-platform'] },
    ])
    expect(vm.inserted.disks, 'the VM boots from pd-balanced').toMatchObject([
      { boot: true, initializeParams: { diskType: 'zones/us-central1-a/diskTypes/pd-balanced' } },
    ])
    const results = await Promise.all(Array.from({ length: 24 }, (_, i) => sandbox.exec(`sleep 1; echo ${i}`, { timeoutMs: 60_000 })))
    expect(
      results.map((r) => r.stdout.trim()),
      'the VM answers on its ssh port: 24 commands at once, past OpenSSH’s 10 sessions a connection',
    ).toEqual(Array.from({ length: 24 }, (_, i) => String(i)))
    await sandbox.terminate()
    await backend.close()
  }, 180_000)

  it('a VM preempted mid-command fails the command as SANDBOX_FAILED (infrastructure); the pool replaces it', async () => {
    const backend = backendFor({ poolSize: 1 })
    const sandbox = await backend.createSandbox(spec('agent1', 'gcp-preempt'))
    // Its handler is attached at once: the command may fail while the preemption is still being awaited.
    const failing = cooperbenchRejection(sandbox.exec('sleep 60', { timeoutMs: 120_000 }))
    await new Promise((r) => setTimeout(r, 1_000))
    await fake.preempt(sandbox.vm)
    expect((await failing).code).toBe('SANDBOX_FAILED')
    expect(spawnSync('docker', ['ps', '-aq', '--filter', `label=${STANDIN_VM_LABEL}=${sandbox.vm}`], { encoding: 'utf8' }).stdout.trim()).toBe('')
    await sandbox.terminate()
    const next = await backend.createSandbox(spec('agent2', 'gcp-preempt'))
    expect(next.vm).not.toBe(sandbox.vm)
    expect((await next.exec(['true'])).exitCode).toBe(0)
    await next.terminate()
    await backend.close()
  }, 180_000)

  it('a VM Compute cannot create fails the sandbox with BACKEND_UNAVAILABLE naming the quota, leaving no VM', async () => {
    const backend = backendFor()
    fake.failNextInserts(1)
    const error = await cooperbenchRejection(backend.createSandbox(spec('agent1', 'gcp-quota')))
    expect(error.code).toBe('BACKEND_UNAVAILABLE')
    expect(error.message).toMatch(/does not have enough resources/)
    expect(error.hint).toMatch(/quota/)
    expect(fake.vms().filter((vm) => vm.labels[VM_LABELS.run] === 'gcp-quota')).toEqual([])
  }, 180_000)

  it('a --git pair takes as many places on one VM as SandboxSpec.group has members: three on two places are refused, no VM made', async () => {
    const backend = backendFor({ sandboxesPerVm: 2 })
    const group = { runId: 'r1', members: ['agent1', 'agent2', 'agent3'] }
    const sharedDirs = [{ hostPath: '/tmp/cb-pair-of-three', sandboxPath: '/cooperbench/team.git' }]
    const error = await cooperbenchRejection(backend.createSandbox({ ...spec('agent1', 'gcp-pair'), sharedDirs, group }))
    expect(error.code).toBe('BACKEND_UNAVAILABLE')
    expect(error.message).toMatch(/a --git pair of 3 agents needs more places on one VM than sandboxesPerVm \(2\)/)
    expect(fake.vms().filter((vm) => vm.labels[VM_LABELS.run] === 'gcp-pair')).toEqual([])
  }, 180_000)

  it('a --git pair whose sandboxes start all at once makes its remote once (two `git init` of one directory collide); every agent sees it', async () => {
    const backend = backendFor({ sandboxesPerVm: 3 })
    const group = { runId: 'r2', members: ['agent1', 'agent2', 'agent3'] }
    const sharedDirs = [{ hostPath: `/tmp/cb-pair-at-once-${process.pid}`, sandboxPath: '/cooperbench/team.git' }]
    const since = Math.floor(Date.now() / 1000) - 1
    const sandboxes = await Promise.all(group.members.map((role) => backend.createSandbox({ ...spec(role, 'gcp-pair-at-once'), sharedDirs, group })))
    const until = Math.ceil(Date.now() / 1000) + 1
    // The remote is made by a throwaway container of the task image (its own git): the image's containers that are not sandboxes (`cb-…`).
    const events = ['events', '--since', String(since), '--until', String(until), '--filter', 'event=create', '--filter', `image=${imageOf(task)}`]
    const created = spawnSync('docker', [...events, '--format', '{{.Actor.Attributes.name}}'], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean)
    expect(created.filter((name) => !name.startsWith('cb-'))).toHaveLength(1)
    for (const sandbox of sandboxes) expect((await sandbox.exec(['test', '-f', '/cooperbench/team.git/HEAD'])).exitCode).toBe(0)
    await Promise.all(sandboxes.map((s) => s.terminate()))
  }, 180_000)
})
