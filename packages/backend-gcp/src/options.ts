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
  /** Check that a VPC firewall rule lets SSH reach the VMs (network tag `cooperbench-ssh`), creating `cooperbench-allow-ssh` when none does. */
  sshFirewall: boolean
  /** VMs get an external IP; false (an organisation forbidding them): SSH to internal IPs, so cooperbench must run inside the VPC. */
  externalIp: boolean
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
  /** Evaluation (`cooperbench eval`) on GCP Batch; false: in sandboxes on the VM pool like agents. */
  batchEval: boolean
  /** Cloud Storage bucket that stages Batch evaluations; default `<project>-cooperbench`. */
  bucket?: string
  /** Batch location; default the zone's region. */
  region?: string
  /** Evaluations of one Batch job running at once. */
  batchParallelism: number
  /** Retries of a Batch task whose container failed (Batch's own retry policy, 0–10). */
  batchMaxRetries: number
  /** Seconds between two reads of a Batch job's state. */
  batchPollSeconds: number
  /**
   * Service account (email) of the VMs and of Batch jobs; default the project's Compute Engine
   * default service account, which new organisations no longer make an Editor.
   */
  serviceAccount?: string
  /** Google API endpoint (Compute, Batch and Storage), e.g. `http://127.0.0.1:8085` for a stand-in; default Google's. */
  apiEndpoint?: string
}

export const GCP_DEFAULTS: GcpBackendOptions = {
  zone: 'us-central1-a',
  machineType: 'e2-standard-8',
  sourceImage: 'projects/cos-cloud/global/images/family/cos-stable',
  diskSizeGb: 100,
  network: 'global/networks/default',
  spot: false,
  sshFirewall: true,
  externalIp: true,
  poolSize: 4,
  sandboxesPerVm: 4,
  cpusPerSandbox: 2,
  memoryMiBPerSandbox: 7168,
  sshUser: 'cooperbench',
  sshPort: 22,
  blockNetwork: false,
  maxOutputBytes: 10 * 1024 * 1024,
  batchEval: true,
  batchParallelism: 50,
  batchMaxRetries: 2,
  batchPollSeconds: 10,
}

export const gcpBackendOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    project: { type: 'string', minLength: 1, description: "Google Cloud project (default: GOOGLE_CLOUD_PROJECT, else the credentials' project)." },
    zone: { type: 'string', minLength: 1, default: GCP_DEFAULTS.zone, description: 'Zone of the VMs (default us-central1-a).' },
    machineType: { type: 'string', minLength: 1, default: GCP_DEFAULTS.machineType, description: 'Machine type of the VMs (default e2-standard-8).' },
    sourceImage: {
      type: 'string',
      minLength: 1,
      default: GCP_DEFAULTS.sourceImage,
      description: 'Boot image with Docker and sshd (default Container-Optimized OS stable).',
    },
    diskSizeGb: { type: 'integer', minimum: 10, default: GCP_DEFAULTS.diskSizeGb, description: 'Boot disk size in GB; task images are large (default 100).' },
    network: { type: 'string', minLength: 1, default: GCP_DEFAULTS.network, description: 'VPC network of the VMs (default global/networks/default).' },
    sshFirewall: {
      type: 'boolean',
      default: GCP_DEFAULTS.sshFirewall,
      description: 'Check that a firewall rule lets SSH reach the VMs (tag cooperbench-ssh) and create cooperbench-allow-ssh when none does (default true).',
    },
    externalIp: {
      type: 'boolean',
      default: GCP_DEFAULTS.externalIp,
      description: 'VMs get an external IP (default true; false: SSH to internal IPs, cooperbench must run inside the VPC).',
    },
    spot: {
      type: 'boolean',
      default: GCP_DEFAULTS.spot,
      description: 'Spot VMs: cheaper, may be preempted; their pairs fail as infrastructure and a rerun retries them (default false).',
    },
    poolSize: { type: 'integer', minimum: 1, default: GCP_DEFAULTS.poolSize, description: 'VMs alive at once (default 4).' },
    sandboxesPerVm: { type: 'integer', minimum: 1, default: GCP_DEFAULTS.sandboxesPerVm, description: 'Sandbox containers packed onto one VM (default 4).' },
    cpusPerSandbox: { type: 'number', exclusiveMinimum: 0, default: GCP_DEFAULTS.cpusPerSandbox, description: 'CPUs of each sandbox container (default 2).' },
    memoryMiBPerSandbox: {
      type: 'integer',
      minimum: 256,
      default: GCP_DEFAULTS.memoryMiBPerSandbox,
      description: 'Memory limit of each sandbox container in MiB (default 7168).',
    },
    sshUser: {
      type: 'string',
      pattern: '^[a-z_][a-z0-9_-]*$',
      default: GCP_DEFAULTS.sshUser,
      description: "User the run's ephemeral SSH key is installed for (default cooperbench).",
    },
    sshPort: { type: 'integer', minimum: 1, maximum: 65535, default: GCP_DEFAULTS.sshPort, description: 'SSH port of the VMs (default 22).' },
    blockNetwork: {
      type: 'boolean',
      default: GCP_DEFAULTS.blockNetwork,
      description: 'Sandbox containers get no network (default false: task runners may install packages).',
    },
    maxOutputBytes: {
      type: 'integer',
      minimum: 1024,
      default: GCP_DEFAULTS.maxOutputBytes,
      description: 'Cap on each of stdout and stderr of one command in bytes (default 10 MiB).',
    },
    batchEval: {
      type: 'boolean',
      default: GCP_DEFAULTS.batchEval,
      description: 'Evaluate on GCP Batch, one job per task image (default true; false: in sandboxes on the VM pool).',
    },
    bucket: {
      type: 'string',
      pattern: '^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$',
      description: 'Cloud Storage bucket staging Batch evaluations (default <project>-cooperbench).',
    },
    region: { type: 'string', minLength: 1, description: "Batch location (default the zone's region)." },
    batchParallelism: {
      type: 'integer',
      minimum: 1,
      default: GCP_DEFAULTS.batchParallelism,
      description: 'Evaluations of one Batch job running at once (default 50).',
    },
    batchMaxRetries: {
      type: 'integer',
      minimum: 0,
      maximum: 10,
      default: GCP_DEFAULTS.batchMaxRetries,
      description: 'Retries of a Batch task whose container failed (default 2).',
    },
    batchPollSeconds: {
      type: 'number',
      minimum: 0.1,
      default: GCP_DEFAULTS.batchPollSeconds,
      description: "Seconds between reads of a Batch job's state (default 10).",
    },
    serviceAccount: {
      type: 'string',
      pattern: '^[^@\\s]+@[^@\\s]+$',
      description: "Service account (email) of the VMs and Batch jobs (default the project's Compute Engine default service account).",
    },
    apiEndpoint: {
      type: 'string',
      pattern: '^https?://',
      description: "Google API endpoint for Compute, Batch and Storage, e.g. http://127.0.0.1:8085 for a stand-in (default Google's).",
    },
  },
} as const

export function resolveGcpOptions(options: Record<string, unknown>): GcpBackendOptions {
  return { ...GCP_DEFAULTS, ...(options as Partial<GcpBackendOptions>) }
}

/** The region of a zone (`us-central1-a` → `us-central1`). */
export function regionOf(zone: string): string {
  return zone.replace(/-[a-z]$/, '')
}

/** The staging bucket of a project when none is configured. */
export function defaultBucket(project: string): string {
  return `${project.replace(/^[^:]*:/, '').replace(/[^a-z0-9-]/g, '-')}-cooperbench`.slice(0, 63)
}
