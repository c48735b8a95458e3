import { describeBackendConformance } from '@cooperbench/testkit'
import { afterAll } from 'vitest'
import { type FakeCompute, startFakeCompute } from '@cooperbench/standins/gcp'
import { backendOnStandin, ensureTaskImage, imageOf, skipReason } from './fixture.js'

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
    return backendOnStandin(fake, { poolSize: 2, sandboxesPerVm: 4 })
  },
  prepare: async (task) => {
    await ensureTaskImage(task)
  },
})
