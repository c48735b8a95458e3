import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fakeBatch, type FakeBatch } from './fake-batch.js'
import { type FakeCompute, findOnPath, startFakeCompute } from './fake-compute.js'
import { fakeStorage, type FakeStorage } from './fake-storage.js'
import { fakeServiceUsage, type FakeServiceUsage } from './fake-service-usage.js'
import { fakeSts, type FakeSts } from './fake-sts.js'
import type { StandinRoute } from './http.js'
import type { ProjectPolicies } from './fake-project-policies.js'

/** The Google APIs backend `gcp` uses, on one local endpoint: Compute, Batch, Cloud Storage and Service Usage. */
export interface GoogleStandin {
  /** `http://127.0.0.1:<port>`: the backend's `apiEndpoint`. */
  readonly endpoint: string
  readonly sshPort: number
  readonly compute: FakeCompute
  readonly batch: FakeBatch
  readonly storage: FakeStorage
  readonly services: FakeServiceUsage
  /** The token exchange an `external_account` credentials file can name as its `token_url`. */
  readonly sts: FakeSts
  close(): Promise<void>
}

export interface GoogleStandinOptions {
  sshd?: string
  /** Buckets that exist from the start (as after `cooperbench config gcp`). */
  buckets?: string[]
  /** Firewall, OS Login and organisation policies of the project. */
  policies?: ProjectPolicies
  dockerStartDelayMs?: number
  /** Callers use user credentials (`gcloud auth application-default login`): Service Usage needs a quota project. */
  userCredentials?: boolean
}

/** Starts the Compute, Batch and Storage stand-ins behind one endpoint (needs root, sshd, Docker). */
export async function startGoogleStandin(options: GoogleStandinOptions = {}): Promise<GoogleStandin> {
  const root = mkdtempSync(join(tmpdir(), 'cooperbench-fake-gcs-'))
  const storage = fakeStorage(root)
  for (const bucket of options.buckets ?? []) storage.createBucket(bucket)
  const services = fakeServiceUsage({ userCredentials: options.userCredentials ?? false })
  // Calls to a disabled API are refused before they reach its stand-in, as Google's front end does.
  const gate: StandinRoute = async (_req, res, url) => {
    const compute = /^\/compute\/v1\/projects\/([^/]+)\//.exec(url.pathname)
    if (compute) return services.refuseIfDisabled(res, 'compute.googleapis.com', compute[1]!)
    const batch = /^\/v1\/projects\/([^/]+)\/locations\//.exec(url.pathname)
    if (batch) return services.refuseIfDisabled(res, 'batch.googleapis.com', batch[1]!)
    return false
  }
  const sts = fakeSts()
  const batch = fakeBatch({ docker: findOnPath('docker'), bucketDir: storage.bucketDir, bucketExists: storage.hasBucket })
  let compute: FakeCompute
  try {
    compute = await startFakeCompute({
      ...(options.sshd ? { sshd: options.sshd } : {}),
      ...(options.policies ? { policies: options.policies } : {}),
      ...(options.dockerStartDelayMs !== undefined ? { dockerStartDelayMs: options.dockerStartDelayMs } : {}),
      publicRoutes: [sts.route],
      routes: [gate, storage.route, batch.route, services.route],
    })
  } catch (error) {
    rmSync(root, { recursive: true, force: true })
    throw error
  }
  return {
    endpoint: compute.endpoint,
    sshPort: compute.sshPort,
    compute,
    batch,
    storage,
    services,
    sts,
    async close() {
      try {
        await batch.close()
        await compute.close()
      } finally {
        rmSync(root, { recursive: true, force: true })
      }
    },
  }
}
