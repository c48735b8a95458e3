import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { SANDBOX_LABELS, type Task } from '@cooperbench/spec'
import { type FakeCompute, type ProjectPolicies, startFakeCompute } from '@cooperbench/standins/gcp'
import { cooperbenchRejection } from '@cooperbench/testkit'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { GcpBackend, GcpBackendSettings } from '../src/index.js'
import { backendOnStandin, ensureTaskImage, imageOf, makeTaskFixture, skipReason } from './fixture.js'

/** How SSH reaches a new VM, and what stops it, against a Compute stand-in with the project's firewall and policies. */
describe.skipIf(skipReason)(`reaching the VMs${skipReason ? ` (${skipReason})` : ''}`, () => {
  let task: Task
  let removeFixture = async () => {}
  let fake: FakeCompute | undefined
  let backend: GcpBackend | undefined

  async function start(policies: ProjectPolicies, settings: GcpBackendSettings = {}, compute: { dockerStartDelayMs?: number; sshd?: string } = {}) {
    fake = await startFakeCompute({ policies, ...compute })
    backend = backendOnStandin(fake, { sshReadyTimeoutMs: 20_000, ...settings })
    return { fake, backend }
  }
  const spec = () => ({ task, image: imageOf(task), role: 'agent1', labels: { [SANDBOX_LABELS.run]: 'gcp-access', [SANDBOX_LABELS.role]: 'agent1' } })

  beforeAll(async () => {
    const made = await makeTaskFixture('gcp_task')
    task = made.task
    removeFixture = made.fixture.cleanup
    await ensureTaskImage(task)
  }, 600_000)

  afterEach(async () => {
    await backend?.close()
    await fake?.close()
    backend = undefined
    fake = undefined
  })

  afterAll(async () => {
    await backend?.close()
    await fake?.close()
    await removeFixture()
  })

  it('sshFirewall off and no rule: the VM never answers and the hint names the firewall rule, OS Login and the image, not quota', async () => {
    const { fake, backend } = await start({ firewalls: [] }, { sshFirewall: false, sshReadyTimeoutMs: 4_000 })
    const error = await cooperbenchRejection(backend.createSandbox(spec()))
    expect(error.code).toBe('BACKEND_UNAVAILABLE')
    expect(error.message).toMatch(/no SSH connection/)
    expect(error.hint).toMatch(
      new RegExp(`no firewall rule lets tcp:${fake.sshPort} in to VMs tagged cooperbench-ssh on network default \\(sshFirewall is off\\)`),
    )
    expect(error.hint).toMatch(/constraints\/compute\.requireOsLogin/)
    expect(error.hint).not.toMatch(/quota/)
    expect(fake.vms()).toEqual([])
  }, 120_000)

  it('OS Login enforced by the organisation: the key is ignored and the hint names constraints/compute.requireOsLogin', async () => {
    const { backend } = await start({ requireOsLogin: true }, { sshReadyTimeoutMs: 4_000 })
    const error = await cooperbenchRejection(backend.createSandbox(spec()))
    expect(error.hint).toMatch(/OS Login enforced by the organisation \(constraints\/compute\.requireOsLogin\)/)
  }, 120_000)

  // With externalIp: false, SSH goes to the internal address: in the test below.
  it('external IPs forbidden by the organisation: one error naming constraints/compute.vmExternalIpAccess and externalIp: false', async () => {
    const { fake, backend } = await start({ denyExternalIp: true })
    const error = await cooperbenchRejection(backend.createSandbox(spec()))
    expect(error.code).toBe('BACKEND_UNAVAILABLE')
    expect(error.message).toMatch(
      /^the organisation policy constraints\/compute\.vmExternalIpAccess forbids VMs with an external IP: Instance 'cb-gcp-access-[0-9a-f]+' creation failed/,
    )
    expect(error.hint).toMatch(/backends\.gcp\.externalIp: false/)
    expect(fake.vms()).toEqual([])
  }, 120_000)

  it('one VM past every hurdle a working set-up meets: no rule letting SSH in, OS Login on in the project, external IPs forbidden (externalIp: false), Docker starting after SSH, a login user with shell startup files', async () => {
    // Five ways a new VM is reached that each cost a VM and a sandbox to show: one stand-in project
    // has all five, and each expect names the one it holds. Its VMs' sshd runs in a mount namespace
    // of its own, where the login user's home is a folder of planted files that would print and fail:
    // the real home of the user running the tests is not touched.
    const dir = await mkdtemp(join(tmpdir(), 'cb-planted-home-'))
    const home = join(dir, 'home')
    await mkdir(join(home, '.ssh'), { recursive: true })
    for (const name of ['.bashrc', '.bash_profile', '.bash_login', '.profile', '.ssh/rc']) await writeFile(join(home, name), `echo PLANTED ${name}; exit 97\n`)
    const sshd = join(dir, 'sshd')
    const script = 'mount --bind "$1" "$2" && shift 2 && exec /usr/sbin/sshd "$@"'
    await writeFile(sshd, `#!/bin/sh\nexec unshare -m --propagation private -- sh -c '${script}' sshd ${home} ${userInfo().homedir} "$@"\n`, { mode: 0o755 })
    try {
      const policies = { firewalls: [], projectMetadata: { 'enable-oslogin': 'TRUE' }, denyExternalIp: true }
      const { fake: compute, backend: gcp } = await start(policies, { externalIp: false }, { dockerStartDelayMs: 5_000, sshd })
      // The VM's own enable-oslogin=FALSE lets the run's key in; without an external IP, SSH goes to
      // its internal address; its sandbox waits for Docker instead of failing its pull.
      const sandbox = await gcp.createSandbox(spec())
      const reached = 'reached with OS Login on in the project, at the internal address, once Docker answered; no startup file ran'
      expect(await sandbox.exec('echo up'), reached).toMatchObject({
        exitCode: 0,
        stdout: 'up\n',
        stderr: '',
      })
      const [nic] = compute.vms()[0]!.inserted.networkInterfaces as Array<{ accessConfigs?: unknown[] }>
      expect(nic?.accessConfigs ?? [], 'a VM without an external IP').toEqual([])
      expect(compute.firewalls(), 'the backend created a rule letting SSH in to its VMs’ tag').toEqual([
        expect.objectContaining({
          name: `cooperbench-allow-ssh-${compute.sshPort}`,
          direction: 'INGRESS',
          targetTags: ['cooperbench-ssh'],
          allowed: [{ IPProtocol: 'tcp', ports: [String(compute.sshPort)] }],
        }),
      ])
      await sandbox.terminate()
    } finally {
      // The VMs' sshd go before the planted home they mount.
      await backend?.close()
      await fake?.close()
      backend = undefined
      fake = undefined
      await rm(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
