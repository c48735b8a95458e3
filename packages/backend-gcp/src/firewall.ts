import compute from '@google-cloud/compute'
import { CooperbenchError, type Logger } from '@cooperbench/spec'
import { type ComputeSettings, googleClient } from './compute.js'
import { type GcpBackendOptions, SSH_NETWORK_TAG } from './options.js'

// A CommonJS package: its clients come from the default export under Node's ESM loader.
const { FirewallsClient, GlobalOperationsClient } = compute
type FirewallsClient = InstanceType<typeof FirewallsClient>
type GlobalOperationsClient = InstanceType<typeof GlobalOperationsClient>
/** The rule the backend creates when no rule lets SSH reach its VMs. */
const SSH_FIREWALL_RULE = 'cooperbench-allow-ssh'

/** The parts of a `compute#firewall` resource that decide whether it lets tcp:`port` in to a VM tagged `tag`. */
interface FirewallRule {
  name?: string | null
  network?: string | null
  direction?: string | null
  disabled?: boolean | null
  sourceRanges?: string[] | null
  targetTags?: string[] | null
  targetServiceAccounts?: string[] | null
  allowed?: Array<{ IPProtocol?: string | null; ports?: string[] | null }> | null
}

/** Whether an enabled ingress rule allows tcp:`port` from anywhere it names to VMs carrying `tag` (or to every VM). */
function allowsSsh(rule: FirewallRule, port: number, tag: string): boolean {
  if (rule.disabled || (rule.direction ?? 'INGRESS') !== 'INGRESS' || !(rule.sourceRanges ?? []).length) return false
  if ((rule.targetServiceAccounts ?? []).length > 0) return false
  if ((rule.targetTags ?? []).length > 0 && !rule.targetTags!.includes(tag)) return false
  return (rule.allowed ?? []).some((a) => {
    const protocol = (a.IPProtocol ?? '').toLowerCase()
    if (protocol === 'all') return true
    if (protocol !== 'tcp' && protocol !== '6') return false
    if (!a.ports?.length) return true
    return a.ports.some((range) => {
      const [low, high = low] = range.split('-').map(Number)
      return low !== undefined && port >= low && port <= high!
    })
  })
}

/**
 * A rule letting tcp:`port` reach VMs tagged {@link SSH_NETWORK_TAG} on `network`, found or created
 * (organisations with hardened defaults have no `default-allow-ssh`).
 */
async function findOrCreateRule(
  firewalls: FirewallsClient,
  operations: GlobalOperationsClient,
  project: string,
  network: string,
  port: number,
): Promise<{ rule: string; created: boolean }> {
  const networkName = network.split('/').at(-1)!
  for await (const rule of firewalls.listAsync({ project }, { autoPaginate: false })) {
    if ((rule.network ?? '').split('/').at(-1) !== networkName) continue
    if (allowsSsh(rule, port, SSH_NETWORK_TAG)) return { rule: rule.name ?? '', created: false }
  }
  const name = port === 22 ? SSH_FIREWALL_RULE : `${SSH_FIREWALL_RULE}-${port}`
  const [operation] = await firewalls.insert({
    project,
    firewallResource: {
      name,
      network: network.includes('/') ? network : `global/networks/${network}`,
      direction: 'INGRESS',
      priority: 1000,
      sourceRanges: ['0.0.0.0/0'],
      targetTags: [SSH_NETWORK_TAG],
      allowed: [{ IPProtocol: 'tcp', ports: [String(port)] }],
      description: 'cooperbench: SSH to its VMs (the harness drives their Docker over SSH with a per-run key)',
    },
  })
  const operationName = (operation.latestResponse as { name?: string | null }).name
  for (let i = 0; operationName && i < 20; i++) {
    const [state] = await operations.wait({ project, operation: operationName })
    const errors = state.error?.errors ?? []
    if (errors.length > 0) throw new Error(errors.map((e) => e.message ?? e.code).join('; '))
    if (state.status === 'DONE') break
  }
  return { rule: name, created: true }
}

/** {@link findOrCreateRule} for the backend's network and SSH port, its failure a CooperbenchError saying how to do it by hand. */
export async function ensureSshRule(settings: ComputeSettings, options: GcpBackendOptions, logger: Logger): Promise<void> {
  const firewalls = googleClient(FirewallsClient, settings)
  const operations = googleClient(GlobalOperationsClient, settings)
  try {
    const { rule, created } = await findOrCreateRule(firewalls, operations, settings.project, options.network, options.sshPort)
    if (created) logger.info(`gcp: created firewall rule ${rule} (tcp:${options.sshPort} to VMs tagged ${SSH_NETWORK_TAG} on ${options.network})`)
  } catch (error) {
    const network = options.network.split('/').at(-1)
    const why = (error as Error).message?.split('\n')[0]
    throw new CooperbenchError('BACKEND_UNAVAILABLE', `cannot check or create the firewall rule that lets SSH reach the VMs: ${why}`, {
      hint:
        `Create it (\`gcloud compute firewall-rules create ${SSH_FIREWALL_RULE} --network ${network} --allow tcp:${options.sshPort} ` +
        `--target-tags ${SSH_NETWORK_TAG}\`) ` +
        'and set backends.gcp.sshFirewall: false, or grant the credentials Compute Security Admin.',
      cause: error,
    })
  } finally {
    await Promise.allSettled([firewalls.close(), operations.close()])
  }
}
