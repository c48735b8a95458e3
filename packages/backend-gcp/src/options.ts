/** The options of backend `gcp` (`backends.gcp` in the config file), defaults filled in by the schema. */
export interface GcpBackendOptions {
  /** Google Cloud project; default `GOOGLE_CLOUD_PROJECT`, else the credentials' project. */
  project?: string
  /** Zone of the VMs. */
  zone: string
  /** Machine type of the VMs. */
  machineType: string
  /** Boot image of the VMs: any image with Docker and sshd (Container-Optimized OS by default). */
  sourceImage: string
  diskSizeGb: number
  /** VPC network of the VMs. */
  network: string
  /** Spot VMs: cheaper, and may be preempted (their pairs fail as infrastructure and a rerun retries them). */
  spot: boolean
  /** VMs alive at once. */
  poolSize: number
  /** Sandboxes (containers) packed onto one VM. */
  sandboxesPerVm: number
  /** CPUs and memory limit of each sandbox container. */
  cpusPerSandbox: number
  memoryMiBPerSandbox: number
  /** User the run's ephemeral SSH key is installed for (instance metadata `ssh-keys`). */
  sshUser: string
  sshPort: number
  /** Sandbox containers get no network (task runners that install packages at test time need it). */
  blockNetwork: boolean
  /** Cap on each of stdout and stderr of one command, bytes. */
  maxOutputBytes: number
  /** Compute API endpoint, e.g. `http://127.0.0.1:8085` for a stand-in; default Google's. */
  apiEndpoint?: string
}

export const GCP_DEFAULTS: GcpBackendOptions = {
  zone: 'us-central1-a',
  machineType: 'e2-standard-8',
  sourceImage: 'projects/cos-cloud/global/images/family/cos-stable',
  diskSizeGb: 100,
  network: 'global/networks/default',
  spot: false,
  poolSize: 4,
  sandboxesPerVm: 4,
  cpusPerSandbox: 2,
  memoryMiBPerSandbox: 7168,
  sshUser: 'cooperbench',
  sshPort: 22,
  blockNetwork: false,
  maxOutputBytes: 10 * 1024 * 1024,
}

export const gcpBackendOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    project: { type: 'string', minLength: 1, description: "Google Cloud project (default: GOOGLE_CLOUD_PROJECT, else the credentials' project)." },
    zone: { type: 'string', minLength: 1, default: GCP_DEFAULTS.zone, description: 'Zone of the VMs (default us-central1-a).' },
    machineType: { type: 'string', minLength: 1, default: GCP_DEFAULTS.machineType, description: 'Machine type of the VMs (default e2-standard-8).' },
    sourceImage: { type: 'string', minLength: 1, default: GCP_DEFAULTS.sourceImage, description: 'Boot image with Docker and sshd (default Container-Optimized OS stable).' },
    diskSizeGb: { type: 'integer', minimum: 10, default: GCP_DEFAULTS.diskSizeGb, description: 'Boot disk size in GB; task images are large (default 100).' },
    network: { type: 'string', minLength: 1, default: GCP_DEFAULTS.network, description: 'VPC network of the VMs (default global/networks/default).' },
    spot: { type: 'boolean', default: GCP_DEFAULTS.spot, description: 'Spot VMs: cheaper, may be preempted; their pairs fail as infrastructure and a rerun retries them (default false).' },
    poolSize: { type: 'integer', minimum: 1, default: GCP_DEFAULTS.poolSize, description: 'VMs alive at once (default 4).' },
    sandboxesPerVm: { type: 'integer', minimum: 1, default: GCP_DEFAULTS.sandboxesPerVm, description: 'Sandbox containers packed onto one VM (default 4).' },
    cpusPerSandbox: { type: 'number', exclusiveMinimum: 0, default: GCP_DEFAULTS.cpusPerSandbox, description: 'CPUs of each sandbox container (default 2).' },
    memoryMiBPerSandbox: { type: 'integer', minimum: 256, default: GCP_DEFAULTS.memoryMiBPerSandbox, description: 'Memory limit of each sandbox container in MiB (default 7168).' },
    sshUser: { type: 'string', pattern: '^[a-z_][a-z0-9_-]*$', default: GCP_DEFAULTS.sshUser, description: "User the run's ephemeral SSH key is installed for (default cooperbench)." },
    sshPort: { type: 'integer', minimum: 1, maximum: 65535, default: GCP_DEFAULTS.sshPort, description: 'SSH port of the VMs (default 22).' },
    blockNetwork: { type: 'boolean', default: GCP_DEFAULTS.blockNetwork, description: 'Sandbox containers get no network (default false: task runners may install packages).' },
    maxOutputBytes: { type: 'integer', minimum: 1024, default: GCP_DEFAULTS.maxOutputBytes, description: 'Cap on each of stdout and stderr of one command in bytes (default 10 MiB).' },
    apiEndpoint: { type: 'string', pattern: '^https?://', description: "Compute API endpoint, e.g. http://127.0.0.1:8085 for a stand-in (default Google's)." },
  },
} as const

export function resolveGcpOptions(options: Record<string, unknown>): GcpBackendOptions {
  return { ...GCP_DEFAULTS, ...(options as Partial<GcpBackendOptions>) }
}
