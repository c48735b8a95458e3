import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import type { OAuth2Client } from 'google-auth-library'
import { SANDBOX_LABELS, type Task } from '@cooperbench/spec'
import { type FakeCompute, type ProjectPolicies, startFakeCompute } from '@cooperbench/standins/gcp'
import { cooperbenchRejection } from '@cooperbench/testkit'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { GcpBackend, type GcpBackendSettings } from '../src/index.js'
import { backendOnStandin, ensureTaskImage, imageOf, makeTaskFixture, skipReason } from './fixture.js'

/** How SSH reaches a new VM, and what stops it, against a Compute stand-in with the project's firewall and policies. */
describe.skipIf(skipReason)(`reaching the VMs${skipReason ? ` (${skipReason})` : ''}`, () => {
  let task: Task
  let removeFixture = async () => {}
  let fake: FakeCompute | undefined
  let backend: GcpBackend | undefined

  async function start(policies: ProjectPolicies, settings: GcpBackendSettings = {}, dockerStartDelayMs = 0) {
    fake = await startFakeCompute({ policies, dockerStartDelayMs })
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

  it('a network with no rule letting SSH in: the backend creates one for its VMs’ tag and reaches them', async () => {
    const { fake, backend } = await start({ firewalls: [] })
    const sandbox = await backend.createSandbox(spec())
    expect((await sandbox.exec('echo up')).stdout).toBe('up\n')
    expect(fake.firewalls()).toEqual([
      expect.objectContaining({
        name: `cooperbench-allow-ssh-${fake.sshPort}`,
        direction: 'INGRESS',
        targetTags: ['cooperbench-ssh'],
        allowed: [{ IPProtocol: 'tcp', ports: [String(fake.sshPort)] }],
      }),
    ])
    await sandbox.terminate()
  }, 120_000)

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

  it('OS Login on in the project’s metadata: the VM’s own enable-oslogin=FALSE lets the run’s key in', async () => {
    const { backend } = await start({ projectMetadata: { 'enable-oslogin': 'TRUE' } })
    const sandbox = await backend.createSandbox(spec())
    expect((await sandbox.exec('echo up')).stdout).toBe('up\n')
    await sandbox.terminate()
  }, 120_000)

  it('OS Login enforced by the organisation: the key is ignored and the hint names constraints/compute.requireOsLogin', async () => {
    const { backend } = await start({ requireOsLogin: true }, { sshReadyTimeoutMs: 4_000 })
    const error = await cooperbenchRejection(backend.createSandbox(spec()))
    expect(error.hint).toMatch(/OS Login enforced by the organisation \(constraints\/compute\.requireOsLogin\)/)
  }, 120_000)

  it('external IPs forbidden by the organisation: one error naming constraints/compute.vmExternalIpAccess and externalIp: false; with it, SSH goes to the internal address', async () => {
    const { fake, backend } = await start({ denyExternalIp: true })
    const error = await cooperbenchRejection(backend.createSandbox(spec()))
    expect(error.code).toBe('BACKEND_UNAVAILABLE')
    expect(error.message).toMatch(
      /^the organisation policy constraints\/compute\.vmExternalIpAccess forbids VMs with an external IP: Instance 'cb-gcp-access-[0-9a-f]+' creation failed/,
    )
    expect(error.hint).toMatch(/backends\.gcp\.externalIp: false/)
    expect(fake.vms()).toEqual([])
    await backend.close()
    const internal = new GcpBackend({
      ...backend.options,
      auth: (backend as unknown as { injectedAuth: OAuth2Client }).injectedAuth,
      sshReadyTimeoutMs: 20_000,
      externalIp: false,
    })
    try {
      const sandbox = await internal.createSandbox(spec())
      expect((await sandbox.exec('echo up')).stdout).toBe('up\n')
      await sandbox.terminate()
    } finally {
      await internal.close()
    }
  }, 120_000)

  it('Docker still starting after SSH answers: the sandbox waits for it instead of failing its pull', async () => {
    const { backend } = await start({}, {}, 5_000)
    const sandbox = await backend.createSandbox(spec())
    expect((await sandbox.exec('echo up')).stdout).toBe('up\n')
    await sandbox.terminate()
  }, 120_000)

  it('a VM login runs none of the login user’s shell startup files (~/.bashrc, ~/.profile, ~/.ssh/rc, …)', async () => {
    // sshd in a mount namespace of its own, where the login user's home is a folder of planted
    // files that would print and fail: the real home of the user running the tests is not touched.
    const dir = await mkdtemp(join(tmpdir(), 'cb-planted-home-'))
    const home = join(dir, 'home')
    await mkdir(join(home, '.ssh'), { recursive: true })
    for (const name of ['.bashrc', '.bash_profile', '.bash_login', '.profile', '.ssh/rc']) await writeFile(join(home, name), `echo PLANTED ${name}; exit 97\n`)
    const sshd = join(dir, 'sshd')
    const script = 'mount --bind "$1" "$2" && shift 2 && exec /usr/sbin/sshd "$@"'
    await writeFile(sshd, `#!/bin/sh\nexec unshare -m --propagation private -- sh -c '${script}' sshd ${home} ${userInfo().homedir} "$@"\n`, { mode: 0o755 })
    try {
      fake = await startFakeCompute({ policies: {}, sshd })
      backend = backendOnStandin(fake, { sshReadyTimeoutMs: 20_000 })
      const sandbox = await backend.createSandbox(spec())
      expect(await sandbox.exec('echo up')).toMatchObject({ exitCode: 0, stdout: 'up\n', stderr: '' })
      await sandbox.terminate()
    } finally {
      await backend?.close()
      await fake?.close()
      backend = undefined
      fake = undefined
      await rm(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
