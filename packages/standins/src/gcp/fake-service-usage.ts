import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { send, type StandinRoute } from './http.js'

/**
 * A stand-in for the Service Usage API's services get and enable (v1): every service starts
 * enabled except those named; enabling answers a finished operation, as a quick enable does.
 * It also says "no" for the other stand-ins the way Google's front end does:
 * - a call to a disabled API answers 403 PERMISSION_DENIED whose details carry a
 *   `google.rpc.ErrorInfo` with reason `SERVICE_DISABLED`, domain `googleapis.com` and
 *   metadata `service`/`consumer` (google/rpc/error_details.proto; the reasons are listed in
 *   googleapis' google/api/error_reason.proto), plus the v1 `errors[]` entry `accessNotConfigured`
 *   that Compute's REST surface still sends;
 * - with user credentials (`userCredentials`) and no quota project (`x-goog-user-project`),
 *   Service Usage itself answers SERVICE_DISABLED for the gcloud CLI's own project, as real ADC
 *   from `gcloud auth application-default login` does (docs: "adc-troubleshooting/user-creds").
 */
export interface FakeServiceUsage {
  route: StandinRoute
  disable(service: string): void
  isEnabled(service: string): boolean
  /** Answers the 403 a call to a disabled `service` gets, and returns true; false when it is enabled. */
  refuseIfDisabled(res: ServerResponse, service: string, project: string): boolean
  /** Quota projects the Service Usage calls named (`x-goog-user-project`), for tests. */
  readonly quotaProjects: string[]
}

export interface FakeServiceUsageOptions {
  /** Requests come from user credentials: Service Usage needs a quota project. */
  userCredentials?: boolean
}

/** The project behind the gcloud CLI's OAuth client, which user ADC without a quota project bill to. */
const GCLOUD_CLIENT_PROJECT = '764086051850'

const TITLES: Record<string, string> = {
  'compute.googleapis.com': 'Compute Engine API',
  'batch.googleapis.com': 'Batch API',
  'storage.googleapis.com': 'Cloud Storage API',
  'serviceusage.googleapis.com': 'Service Usage API',
}

export function serviceDisabledError(service: string, consumer: string, message?: string) {
  const title = TITLES[service] ?? service
  const activationUrl = `https://console.developers.google.com/apis/api/${service}/overview?project=${consumer}`
  const text =
    message ??
    `${title} has not been used in project ${consumer} before or it is disabled. Enable it by visiting ${activationUrl} then retry. ` +
      'If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.'
  return {
    error: {
      code: 403,
      message: text,
      errors: [{ message: text, domain: 'usageLimits', reason: 'accessNotConfigured', extendedHelp: 'https://console.developers.google.com' }],
      status: 'PERMISSION_DENIED',
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'SERVICE_DISABLED',
          domain: 'googleapis.com',
          metadata: { service, consumer: `projects/${consumer}`, activationUrl, serviceTitle: title, containerInfo: consumer },
        },
      ],
    },
  }
}

export function fakeServiceUsage(options: FakeServiceUsageOptions = {}): FakeServiceUsage {
  const disabled = new Set<string>()
  const quotaProjects: string[] = []
  const noQuotaProject = (req: IncomingMessage, res: ServerResponse): boolean => {
    const quota = req.headers['x-goog-user-project']
    if (typeof quota === 'string' && quota) quotaProjects.push(quota)
    if (!options.userCredentials || (typeof quota === 'string' && quota)) return false
    const message =
      'Your application is authenticating by using local Application Default Credentials. The serviceusage.googleapis.com API requires a quota project, ' +
      'which is not set by default. To learn how to set your quota project, see https://cloud.google.com/docs/authentication/adc-troubleshooting/user-creds .'
    send(res, 403, serviceDisabledError('serviceusage.googleapis.com', GCLOUD_CLIENT_PROJECT, message))
    return true
  }
  const route: StandinRoute = async (req, res, url) => {
    const m = /^\/v1\/projects\/([^/]+)\/services\/([a-z0-9.-]+)(:enable)?$/.exec(url.pathname)
    if (!m) return false
    const [, project, service, enable] = m as unknown as [string, string, string, string | undefined]
    if (noQuotaProject(req, res)) return true
    const name = `projects/${project}/services/${service}`
    if (enable && req.method === 'POST') {
      disabled.delete(service)
      send(res, 200, {
        name: `operations/acat.p2-${randomBytes(6).toString('hex')}`,
        done: true,
        response: {
          '@type': 'type.googleapis.com/google.api.serviceusage.v1.EnableServiceResponse',
          service: { name, parent: `projects/${project}`, state: 'ENABLED' },
        },
      })
      return true
    }
    if (req.method !== 'GET') return false
    send(res, 200, {
      name,
      parent: `projects/${project}`,
      config: { name: service, title: TITLES[service] ?? service },
      state: disabled.has(service) ? 'DISABLED' : 'ENABLED',
    })
    return true
  }
  return {
    route,
    quotaProjects,
    disable: (service) => disabled.add(service),
    isEnabled: (service) => !disabled.has(service),
    refuseIfDisabled(res, service, project) {
      if (!disabled.has(service)) return false
      send(res, 403, serviceDisabledError(service, project))
      return true
    },
  }
}
