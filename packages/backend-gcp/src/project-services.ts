import { setTimeout as sleep } from 'node:timers/promises'
import type { AuthClient, GoogleAuth } from 'google-auth-library'

/** The APIs backend `gcp` calls: VMs, Batch evaluation and its staging bucket. */
const REQUIRED_SERVICES = ['compute.googleapis.com', 'batch.googleapis.com', 'storage.googleapis.com'] as const

export interface ServiceState {
  service: string
  /** `ENABLED` or `DISABLED`, as the Service Usage API reports it. */
  state: string
  /** True when this call enabled it. */
  enabled: boolean
}

/** Checks the required APIs with the Service Usage API and enables those that are off, following the operation until done. */
export async function ensureServices(auth: GoogleAuth | AuthClient, project: string, apiEndpoint?: string): Promise<ServiceState[]> {
  const base = apiEndpoint ?? 'https://serviceusage.googleapis.com'
  // User credentials bill API calls to gcloud's own project unless a quota project is named, and
  // Service Usage refuses them there (SERVICE_DISABLED).
  const headers = { 'x-goog-user-project': project }
  const results: ServiceState[] = []
  for (const service of REQUIRED_SERVICES) {
    const url = `${base}/v1/projects/${encodeURIComponent(project)}/services/${service}`
    const { data } = await auth.request<{ state?: string }>({ url, method: 'GET', headers })
    if (data.state === 'ENABLED') {
      results.push({ service, state: 'ENABLED', enabled: false })
      continue
    }
    let { data: operation } = await auth.request<{ name?: string; done?: boolean; error?: { message?: string } }>({
      url: `${url}:enable`,
      method: 'POST',
      data: {},
      headers,
    })
    for (let i = 0; i < 60 && operation.done !== true && operation.name; i++) {
      await sleep(2000)
      operation = (await auth.request<typeof operation>({ url: `${base}/v1/${operation.name}`, method: 'GET', headers })).data
    }
    if (operation.error) throw new Error(`enabling ${service}: ${operation.error.message ?? 'failed'}`)
    results.push({ service, state: operation.done === true ? 'ENABLED' : 'ENABLING', enabled: true })
  }
  return results
}
