import { userInfo } from 'node:os'
import { describeBackendConformance } from '@cooperbench/testkit'
import { OAuth2Client } from 'google-auth-library'
import { afterAll } from 'vitest'
import { GcpBackend } from '../src/index.js'
import { type FakeCompute, startFakeCompute } from '@cooperbench/standins/gcp'
import { ensureTaskImage, imageOf, skipReason } from './fixture.js'

// The real gcp backend and Google's Compute client against the Compute stand-in, whose VMs are
// local sshd hosts in front of this machine's Docker engine.
const fakes: FakeCompute[] = []
afterAll(async () => {
  for (const fake of fakes) await fake.close()
})

describeBackendConformance('gcp (stand-in)', {
  skip: skipReason,
  timeoutMs: 90_000,
  image: imageOf,
  createBackend: async () => {
    const fake = await startFakeCompute()
    fakes.push(fake)
    const auth = new OAuth2Client()
    auth.setCredentials({ access_token: 'test-token', expiry_date: Date.now() + 3600_000 })
    return new GcpBackend({
      project: 'test-project',
      apiEndpoint: fake.endpoint,
      sshPort: fake.sshPort,
      sshUser: userInfo().username,
      auth,
      blockNetwork: true,
      poolSize: 2,
      sandboxesPerVm: 4,
      cpusPerSandbox: 1,
      memoryMiBPerSandbox: 512,
    })
  },
  prepare: async (task) => {
    await ensureTaskImage(task)
  },
})
