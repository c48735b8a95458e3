import { cooperbenchRejection } from '@cooperbench/testkit'
import { type GoogleStandin, startGoogleStandin } from '@cooperbench/standins/gcp'
import { OAuth2Client } from 'google-auth-library'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GcpBackend, type GcpBackendSettings } from '../src/index.js'
import { ensureTaskImage, imageOf, makeTaskFixture, skipReason } from './fixture.js'

function token(): OAuth2Client {
  const auth = new OAuth2Client()
  auth.setCredentials({ access_token: 'user-token', expiry_date: Date.now() + 3600_000 })
  return auth
}

/** What `cooperbench config gcp` does to a project, against the stand-ins saying "no" as Google does. */
describe.skipIf(skipReason)(`preparing a fresh project${skipReason ? ` (${skipReason})` : ''}`, () => {
  let standin: GoogleStandin
  const backends: GcpBackend[] = []
  const backendFor = (settings: GcpBackendSettings = {}) => {
    const backend = new GcpBackend({ project: 'fresh-project', apiEndpoint: standin.endpoint, auth: token(), ...settings })
    backends.push(backend)
    return backend
  }

  let image: string
  let removeFixture = async () => {}
  beforeAll(async () => {
    const { task, fixture } = await makeTaskFixture('gcp_setup_task')
    removeFixture = fixture.cleanup
    await ensureTaskImage(task)
    image = imageOf(task)
    // User ADC (`gcloud auth application-default login`): Service Usage needs a quota project.
    standin = await startGoogleStandin({ userCredentials: true })
  }, 600_000)

  afterAll(async () => {
    for (const backend of backends) await backend.close()
    await standin?.close()
    await removeFixture()
  })

  it('a disabled Compute API (SERVICE_DISABLED) fails preflight naming `cooperbench config gcp`; preparing enables the APIs with the project as quota project', async () => {
    standin.services.disable('compute.googleapis.com')
    standin.services.disable('batch.googleapis.com')
    const backend = backendFor()
    const refused = await cooperbenchRejection(backend.preflight())
    expect(refused.code).toBe('BACKEND_UNAVAILABLE')
    expect(refused.message).toMatch(/Compute Engine API has not been used in project fresh-project before or it is disabled/)
    expect(refused.hint).toMatch(/cooperbench config gcp --project fresh-project/)
    const prepared = await backend.prepareProject()
    expect(prepared.services.filter((s) => s.enabled).map((s) => s.service)).toEqual(['compute.googleapis.com', 'batch.googleapis.com'])
    expect(new Set(standin.services.quotaProjects)).toEqual(new Set(['fresh-project']))
    await backend.preflight()
  }, 180_000)

  it('config gcp’s Batch test job runs as the configured service account; a job whose VMs cannot report to Batch fails naming the account and its roles', async () => {
    const account = 'cb-runner@fresh-project.iam.gserviceaccount.com'
    const backend = backendFor({ serviceAccount: account, batchPollSeconds: 0.2 })
    const ran = await backend.checkBatch(image)
    expect(ran.serviceAccount).toBe(account)
    expect(standin.batch.submitted.find((j) => j.name.endsWith(`/jobs/${ran.jobId}`))?.serviceAccount).toBe(account)
    expect(standin.batch.jobs()).toEqual([])
    standin.batch.failNextJobs(1)
    const failed = await cooperbenchRejection(backendFor({ batchPollSeconds: 0.2 }).checkBatch(image))
    expect(failed.message).toMatch(/^the Batch test job cb-check-[0-9a-f]+ ended FAILED: No VM has agent reporting correctly within time window 1080 seconds/)
    expect(failed.hint).toMatch(/run as the project's Compute Engine default service account: it needs roles\/batch\.agentReporter/)
    expect(failed.hint).toMatch(/backends\.gcp\.serviceAccount/)
  }, 120_000)
})
