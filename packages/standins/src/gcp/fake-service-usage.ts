import { randomBytes } from 'node:crypto'
import { send, type StandinRoute } from './http.js'

/**
 * A stand-in for the Service Usage API's services get and enable (v1): every service starts
 * enabled except those named; enabling answers a finished operation, as a quick enable does.
 */
export interface FakeServiceUsage {
  route: StandinRoute
  disable(service: string): void
  isEnabled(service: string): boolean
}

export function fakeServiceUsage(): FakeServiceUsage {
  const disabled = new Set<string>()
  const route: StandinRoute = async (req, res, url) => {
    const m = /^\/v1\/projects\/([^/]+)\/services\/([a-z0-9.-]+)(:enable)?$/.exec(url.pathname)
    if (!m) return false
    const [, project, service, enable] = m as unknown as [string, string, string, string | undefined]
    const name = `projects/${project}/services/${service}`
    if (enable && req.method === 'POST') {
      disabled.delete(service)
      send(res, 200, {
        name: `operations/acat.p2-${randomBytes(6).toString('hex')}`,
        done: true,
        response: { '@type': 'type.googleapis.com/google.api.serviceusage.v1.EnableServiceResponse', service: { name, parent: `projects/${project}`, state: 'ENABLED' } },
      })
      return true
    }
    if (req.method !== 'GET') return false
    send(res, 200, { name, parent: `projects/${project}`, config: { name: service, title: service }, state: disabled.has(service) ? 'DISABLED' : 'ENABLED' })
    return true
  }
  return { route, disable: (service) => disabled.add(service), isEnabled: (service) => !disabled.has(service) }
}
