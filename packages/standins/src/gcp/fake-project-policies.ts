import { randomBytes, randomInt } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { readJson, send } from './http.js'

/**
 * What stands between a new Compute Engine VM and an SSH client, as a project sets it: the VPC
 * firewall (`compute#firewall` resources, `global/firewalls`), OS Login (metadata key
 * `enable-oslogin`, project-wide or per instance; the organisation policy
 * `constraints/compute.requireOsLogin` forces it), and the organisation policy
 * `constraints/compute.vmExternalIpAccess`. Shapes: the Compute v1 Firewall resource
 * (google/cloud/compute/v1/compute.proto), Compute's OS Login docs ("Set up OS Login": with OS
 * Login on, keys in `ssh-keys` metadata are not used), and the insert operation error Compute gives
 * a forbidden external IP (code CONDITION_NOT_MET, "Constraint constraints/compute.vmExternalIpAccess
 * violated for project N", as the Kubernetes cluster autoscaler's GCE provider matches it).
 */
export interface ProjectPolicies {
  /** Firewall rules of the project at the start; default: a default network's `default-allow-ssh` (tcp:22 from anywhere). */
  firewalls?: FirewallRule[]
  /** Project-wide metadata (`commonInstanceMetadata`), e.g. `{ 'enable-oslogin': 'TRUE' }`. */
  projectMetadata?: Record<string, string>
  /** Organisation policies in force. */
  requireOsLogin?: boolean
  denyExternalIp?: boolean
}

export interface FirewallRule {
  name: string
  network: string
  direction?: string
  priority?: number
  sourceRanges?: string[]
  targetTags?: string[]
  allowed?: Array<{ IPProtocol: string; ports?: string[] }>
  disabled?: boolean
}

export const DEFAULT_ALLOW_SSH: FirewallRule = {
  name: 'default-allow-ssh',
  network: 'global/networks/default',
  direction: 'INGRESS',
  priority: 65534,
  sourceRanges: ['0.0.0.0/0'],
  allowed: [{ IPProtocol: 'tcp', ports: ['22'] }],
}

/** A project number for messages that name one. */
const PROJECT_NUMBER = String(randomInt(1e11, 9e11))

export function projectPolicies(settings: ProjectPolicies, onFirewallChange: () => void) {
  const firewalls = new Map((settings.firewalls ?? [DEFAULT_ALLOW_SSH]).map((rule) => [rule.name, { ...rule }]))
  const truthy = (value: string | undefined) => value !== undefined && /^(true|1|yes|y)$/i.test(value)

  return {
    firewalls: () => [...firewalls.values()],
    /** Whether some rule lets tcp:`port` in to a VM with `tags` on `network` (any network name matches on its last segment). */
    sshAllowed(network: string, tags: string[], port: number): boolean {
      const net = network.split('/').at(-1)
      return [...firewalls.values()].some(
        (rule) =>
          !rule.disabled &&
          (rule.direction ?? 'INGRESS') === 'INGRESS' &&
          rule.network.split('/').at(-1) === net &&
          (rule.sourceRanges ?? []).length > 0 &&
          (!(rule.targetTags ?? []).length || rule.targetTags!.some((t) => tags.includes(t))) &&
          (rule.allowed ?? []).some(
            (a) =>
              a.IPProtocol === 'all' ||
              (a.IPProtocol === 'tcp' &&
                (!a.ports?.length ||
                  a.ports.some((r) => {
                    const [lo, hi = lo] = r.split('-').map(Number)
                    return port >= lo! && port <= hi!
                  }))),
          ),
      )
    },
    /** OS Login on for an instance with this metadata: its `ssh-keys` are then not used. */
    osLogin(instanceMetadata: Record<string, string>): boolean {
      if (settings.requireOsLogin) return true
      return truthy(instanceMetadata['enable-oslogin'] ?? settings.projectMetadata?.['enable-oslogin'])
    },
    /** The insert error for an instance with an external address where the organisation forbids them, or null. */
    externalIpRefusal(name: string, accessConfigs: unknown[]): string | null {
      if (!settings.denyExternalIp || accessConfigs.length === 0) return null
      return `Instance '${name}' creation failed: Constraint constraints/compute.vmExternalIpAccess violated for project ${PROJECT_NUMBER}.`
    },
    /** `global/firewalls` list and insert, and `global/operations/…/wait`; true when it answered. */
    async route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
      const m = /^\/compute\/v1\/projects\/([^/]+)\/global\/(firewalls|operations)(?:\/([^/]+))?(\/wait)?$/.exec(url.pathname)
      if (!m) return false
      const [, p, kind, name] = m as unknown as [string, string, string, string | undefined]
      const base = `http://compute.local/compute/v1/projects/${p}/global`
      if (kind === 'operations') {
        send(res, 200, operationJson(name ?? '', `${base}/operations/${name}`))
        return true
      }
      if (req.method === 'GET' && !name) {
        const items = [...firewalls.values()].map((r) => ({
          kind: 'compute#firewall',
          ...r,
          network: `${base}/networks/${r.network.split('/').at(-1)}`,
          selfLink: `${base}/firewalls/${r.name}`,
        }))
        send(res, 200, { kind: 'compute#firewallList', id: `projects/${p}/global/firewalls`, items, selfLink: `${base}/firewalls` })
        return true
      }
      if (req.method === 'POST' && !name) {
        const rule = (await readJson(req)) as unknown as FirewallRule
        if (firewalls.has(rule.name)) {
          const message = `The resource 'projects/${p}/global/firewalls/${rule.name}' already exists`
          send(res, 409, { error: { code: 409, message, errors: [{ reason: 'alreadyExists', domain: 'global' }] } })
          return true
        }
        firewalls.set(rule.name, rule)
        onFirewallChange()
        const op = `operation-${Date.now()}-${randomBytes(6).toString('hex')}`
        send(res, 200, { ...operationJson(op, `${base}/operations/${op}`), targetLink: `${base}/firewalls/${rule.name}` })
        return true
      }
      return false
    },
  }
}

/** A global operation that is already DONE (firewall inserts finish at once here). */
function operationJson(name: string, selfLink: string) {
  return { kind: 'compute#operation', id: String(randomInt(1e9, 9e9)), name, operationType: 'insert', status: 'DONE', progress: 100, selfLink }
}
