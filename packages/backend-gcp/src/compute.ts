import compute from '@google-cloud/compute'

// A CommonJS package: its clients come from the default export under Node's ESM loader.
const { InstancesClient, ZoneOperationsClient } = compute
type InstancesClient = InstanceType<typeof InstancesClient>
type ZoneOperationsClient = InstanceType<typeof ZoneOperationsClient>
import type { AuthClient, GoogleAuth } from 'google-auth-library'
import { CLOUD_PLATFORM_SCOPE } from './auth.js'

/** A VM as this backend needs it. */
export interface VmInfo {
  name: string
  /** Where SSH reaches it: the external address when it has one, else the internal one. */
  address: string
  status: string
  labels: Record<string, string>
}

export interface VmSpec {
  name: string
  machineType: string
  sourceImage: string
  diskSizeGb: number
  network: string
  spot: boolean
  labels: Record<string, string>
  /** `user:ssh-ed25519 AAAA… comment`, installed by the guest environment (instance metadata `ssh-keys`). */
  sshKey: string
  /** An external (NAT) address; without one SSH goes to the internal address (this machine must be in the VPC). */
  externalIp: boolean
  /** Network tags (the SSH firewall rule targets one). */
  tags: string[]
  /** The VM's service account (its Docker pulls from private registries with it); `default`: the project's Compute Engine default. */
  serviceAccount: string
}

/** The project, credentials and endpoint of every Google client of this backend. */
export interface GoogleSettings {
  project: string
  /** `http(s)://host:port` of a stand-in; Google's endpoint when absent. */
  apiEndpoint?: string
  auth: GoogleAuth | AuthClient
}

export interface ComputeSettings extends GoogleSettings {
  zone: string
}

/** A Google Cloud client of this backend (Compute, Batch), over the endpoint (a stand-in's, in tests) and the credentials, plus `extra`. */
export function googleClient<C>(Client: new (options: never) => C, settings: GoogleSettings, extra: Record<string, unknown> = {}): C {
  const endpoint = settings.apiEndpoint ? new URL(settings.apiEndpoint) : null
  return new Client({
    ...extra,
    ...(endpoint
      ? {
          apiEndpoint: endpoint.hostname,
          port: Number(endpoint.port || (endpoint.protocol === 'http:' ? 80 : 443)),
          protocol: endpoint.protocol.replace(':', ''),
        }
      : {}),
    ...('getRequestHeaders' in settings.auth ? { authClient: settings.auth } : { auth: settings.auth }),
  } as never)
}

/** The Compute Engine calls of this backend, through Google's own client. */
export class ComputeFleet {
  private readonly instances: InstancesClient
  private readonly operations: ZoneOperationsClient

  constructor(private readonly settings: ComputeSettings) {
    this.instances = googleClient(InstancesClient, settings)
    this.operations = googleClient(ZoneOperationsClient, settings)
  }

  /** Creates a VM and waits until Compute Engine says it is running. */
  async create(spec: VmSpec, signal?: AbortSignal): Promise<VmInfo> {
    const { project, zone } = this.settings
    const [operation] = await this.instances.insert({
      project,
      zone,
      instanceResource: {
        name: spec.name,
        machineType: `zones/${zone}/machineTypes/${spec.machineType}`,
        labels: spec.labels,
        // pd-balanced: SSD-backed; pulling a task image of several GB onto pd-standard takes minutes.
        disks: [
          {
            boot: true,
            autoDelete: true,
            initializeParams: { sourceImage: spec.sourceImage, diskSizeGb: String(spec.diskSizeGb), diskType: `zones/${zone}/diskTypes/pd-balanced` },
          },
        ],
        serviceAccounts: [{ email: spec.serviceAccount, scopes: [CLOUD_PLATFORM_SCOPE] }],
        networkInterfaces: [{ network: spec.network, accessConfigs: spec.externalIp ? [{ name: 'External NAT', type: 'ONE_TO_ONE_NAT' }] : [] }],
        tags: { items: spec.tags },
        // OS Login (project metadata `enable-oslogin=TRUE`) ignores `ssh-keys`; instance metadata
        // overrides the project's, unless the organisation enforces constraints/compute.requireOsLogin.
        metadata: {
          items: [
            { key: 'ssh-keys', value: spec.sshKey },
            { key: 'enable-oslogin', value: 'FALSE' },
          ],
        },
        scheduling: spec.spot ? { provisioningModel: 'SPOT', instanceTerminationAction: 'DELETE' } : { automaticRestart: true, onHostMaintenance: 'MIGRATE' },
      },
    })
    await this.waitFor(operation.latestResponse as { name?: string | null }, signal)
    const vm = await this.get(spec.name)
    if (!vm) throw new Error(`VM ${spec.name} is gone right after its creation`)
    return vm
  }

  async get(name: string): Promise<VmInfo | null> {
    try {
      const [instance] = await this.instances.get({ project: this.settings.project, zone: this.settings.zone, instance: name })
      return toInfo(instance)
    } catch (error) {
      if ((error as { code?: number }).code === 404 || (error as { code?: number }).code === 5) return null
      throw error
    }
  }

  /** VMs carrying every label given. */
  async list(labels: Record<string, string>): Promise<VmInfo[]> {
    // instances.list's documented form of several expressions.
    const filter = Object.entries(labels)
      .map(([key, value]) => `(labels.${key} = "${value}")`)
      .join(' AND ')
    const found: VmInfo[] = []
    for await (const instance of this.instances.listAsync({ project: this.settings.project, zone: this.settings.zone, filter }, { autoPaginate: false })) {
      found.push(toInfo(instance))
    }
    return found
  }

  /** Deletes a VM (and its boot disk) and waits for it; a VM already gone is fine. */
  async delete(name: string): Promise<void> {
    try {
      const [operation] = await this.instances.delete({ project: this.settings.project, zone: this.settings.zone, instance: name })
      await this.waitFor(operation.latestResponse as { name?: string | null })
    } catch (error) {
      if ((error as { code?: number }).code === 404 || (error as { code?: number }).code === 5) return
      throw error
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.instances.close(), this.operations.close()])
  }

  /** `zoneOperations.wait` until the operation is DONE; its error, if any, is thrown. */
  private async waitFor(operation: { name?: string | null }, signal?: AbortSignal): Promise<void> {
    if (!operation.name) return
    for (;;) {
      signal?.throwIfAborted()
      const [state] = await this.operations.wait({ project: this.settings.project, zone: this.settings.zone, operation: operation.name })
      const errors = state.error?.errors ?? []
      if (errors.length > 0) throw new Error(errors.map((e) => e.message ?? e.code).join('; '))
      if (state.status === 'DONE') return
    }
  }
}

function toInfo(instance: {
  name?: string | null
  status?: string | null
  labels?: Record<string, string> | null
  networkInterfaces?: Array<{ networkIP?: string | null; accessConfigs?: Array<{ natIP?: string | null }> | null }> | null
}): VmInfo {
  const nic = instance.networkInterfaces?.[0]
  const address = nic?.accessConfigs?.find((c) => c.natIP)?.natIP ?? nic?.networkIP ?? ''
  return { name: instance.name ?? '', address, status: instance.status ?? 'UNKNOWN', labels: { ...(instance.labels ?? {}) } }
}
