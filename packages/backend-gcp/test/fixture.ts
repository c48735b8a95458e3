// The docker backend's test fixture builds the offline base image and fixture task images once per machine.
import { engineAnswers, engineSkipReason, ensureTaskImage, makeTaskFixture, removeBuiltTaskImages, testImageOf } from '../../backend-docker/test/fixture.js'
import { type FakeCompute, fakeComputeProblem } from '@cooperbench/standins/gcp'
import { userInfo } from 'node:os'
import { OAuth2Client } from 'google-auth-library'
import { GcpBackend, type GcpBackendSettings } from '../src/index.js'
import { afterEveryFile } from '../../../scripts/test/after-every.js'

export { ensureTaskImage, makeTaskFixture, testImageOf as imageOf }

const standinProblem = engineAnswers ? fakeComputeProblem() : engineSkipReason
if (standinProblem && process.env.CI) throw new Error(`${standinProblem}, and CI is set: the gcp stand-in tests must run`)
/** Skip reason for the suites that need the Compute stand-in (Docker, sshd, root); never under CI. */
export const skipReason: string | false = standinProblem ?? false

afterEveryFile(removeBuiltTaskImages)

/** Credentials the stand-ins accept: a token that outlives the tests. */
export function testToken(): OAuth2Client {
  const auth = new OAuth2Client()
  auth.setCredentials({ access_token: 'test-token', expiry_date: Date.now() + 3600_000 })
  return auth
}

/** The gcp backend on the Compute stand-in `fake` (its VMs reached over SSH as this user), with small sandboxes and no network in them; `settings` on top. */
export function backendOnStandin(fake: FakeCompute, settings: GcpBackendSettings = {}): GcpBackend {
  return new GcpBackend({
    project: 'test-project',
    apiEndpoint: fake.endpoint,
    sshPort: fake.sshPort,
    sshUser: userInfo().username,
    auth: testToken(),
    blockNetwork: true,
    cpusPerSandbox: 1,
    memoryMiBPerSandbox: 512,
    ...settings,
  })
}
