import type { OptionsOf, OptionsSchema } from '@cooperbench/spec'
import { optionsDefaults } from '@cooperbench/spec-utils'
import { MAX_OUTPUT_BYTES_OPTION } from '@cooperbench/backend-kit'

/** The options of backend `gcp` (`backends.gcp`), validated and defaulted by the registry before `create`. */
export const gcpBackendOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    project: { type: 'string', minLength: 1, description: "Google Cloud project (default: GOOGLE_CLOUD_PROJECT, else the credentials' project)." },
    zone: { type: 'string', minLength: 1, default: 'us-central1-a', description: 'Zone of the VMs.' },
    machineType: { type: 'string', minLength: 1, default: 'e2-standard-8', description: 'Machine type of the VMs.' },
    sourceImage: {
      type: 'string',
      minLength: 1,
      default: 'projects/cos-cloud/global/images/family/cos-stable',
      description: 'Boot image with Docker and sshd (Container-Optimized OS stable).',
    },
    diskSizeGb: { type: 'integer', minimum: 10, default: 100, description: 'Boot disk size in GB; task images are large.' },
    network: { type: 'string', minLength: 1, default: 'global/networks/default', description: 'VPC network of the VMs.' },
    sshFirewall: {
      type: 'boolean',
      default: true,
      description: 'Check that a firewall rule lets SSH reach the VMs (tag cooperbench-ssh) and create cooperbench-allow-ssh when none does.',
    },
    externalIp: {
      type: 'boolean',
      default: true,
      description: 'VMs get an external IP (false: SSH to internal IPs, cooperbench must run inside the VPC).',
    },
    spot: {
      type: 'boolean',
      default: false,
      description: 'Spot VMs: cheaper, may be preempted; their pairs fail as infrastructure and a rerun retries them.',
    },
    poolSize: { type: 'integer', minimum: 1, default: 4, description: 'VMs alive at once.' },
    sandboxesPerVm: { type: 'integer', minimum: 1, default: 4, description: 'Sandbox containers packed onto one VM.' },
    cpusPerSandbox: { type: 'number', exclusiveMinimum: 0, default: 2, description: 'CPUs of each sandbox container.' },
    memoryMiBPerSandbox: {
      type: 'integer',
      minimum: 256,
      default: 7168,
      description: 'Memory limit of each sandbox container in MiB.',
    },
    sshUser: {
      type: 'string',
      pattern: '^[a-z_][a-z0-9_-]*$',
      default: 'cooperbench',
      description: "User the run's ephemeral SSH key is installed for.",
    },
    sshPort: { type: 'integer', minimum: 1, maximum: 65535, default: 22, description: 'SSH port of the VMs.' },
    blockNetwork: {
      type: 'boolean',
      default: false,
      description: 'Sandbox containers get no network (false: task runners may install packages).',
    },
    maxOutputBytes: MAX_OUTPUT_BYTES_OPTION,
    batchEval: {
      type: 'boolean',
      default: true,
      description: 'Evaluate on GCP Batch, one job per task image (false: in sandboxes on the VM pool).',
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
      default: 50,
      description: 'Evaluations of one Batch job running at once.',
    },
    batchMaxRetries: {
      type: 'integer',
      minimum: 0,
      maximum: 10,
      default: 2,
      description: 'Retries of a Batch task whose container failed.',
    },
    batchPollSeconds: {
      type: 'number',
      minimum: 0.1,
      default: 10,
      description: "Seconds between reads of a Batch job's state.",
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
} as const satisfies OptionsSchema

/** The options of backend `gcp` as the registry hands them over, defaults filled in. */
export type GcpBackendOptions = OptionsOf<typeof gcpBackendOptionsSchema>

export const GCP_DEFAULTS: GcpBackendOptions = optionsDefaults(gcpBackendOptionsSchema)

/** Network tag on every VM of the backend: the firewall rule it creates applies to it. */
export const SSH_NETWORK_TAG = 'cooperbench-ssh'

/** The region of a zone (`us-central1-a` → `us-central1`). */
export function regionOf(zone: string): string {
  return zone.replace(/-[a-z]$/, '')
}

/** The staging bucket of a project when none is configured. */
export function defaultBucket(project: string): string {
  return `${project.replace(/^[^:]*:/, '').replace(/[^a-z0-9-]/g, '-')}-cooperbench`.slice(0, 63)
}
