import { createHash, randomBytes } from 'node:crypto'
import {
  type Backend,
  type BackendCapabilities,
  type CostEstimate,
  type PlannedWork,
  CooperbenchError,
  isCooperbenchError,
  type Logger,
  SANDBOX_LABELS,
  type SandboxInfo,
  type SandboxSpec,
  type TaskSupport,
} from '@cooperbench/spec'
import { silentLogger } from '@cooperbench/spec-utils'
import {
  CreatorLabels,
  ManagedSandboxes,
  onceUntilDone,
  type ReapFilter,
  type RootCommandResult,
  sharedPerKey,
  startPulledSandbox,
} from '@cooperbench/backend-kit'
import type { RunScriptedJobsOptions, ScriptedJob } from '@cooperbench/spec'
import type { AuthClient, GoogleAuth } from 'google-auth-library'
import { findGcpCredentials, firstLine } from './auth.js'
import type { ComputeFleet, GoogleSettings, VmInfo } from './compute.js'
import { GcpSandbox } from './gcp-sandbox.js'
import { GCP_DEFAULTS, type GcpBackendOptions, SSH_NETWORK_TAG, defaultBucket, regionOf } from './options.js'
import type { BatchCheck } from './batch/batch-check.js'
import { hourlyPrice, PRICE_SOURCE } from './pricing.js'
import { ensureServices, type ServiceState } from './project-services.js'
import type { BatchJobs } from './batch/batch-jobs.js'
import type { StagingBucket } from './batch/bucket.js'
import { shellQuote } from '@cooperbench/spec-utils/host'
import { generateRunKeyPair, type RunKeyPair, VmConnection } from './ssh.js'
import { type PooledVm, VmPool } from './vm-pool.js'
import { externalIpRefusal, vmFailureHint, waitForDocker } from './vm-access.js'

/** Settings of a {@link GcpBackend}: the config options plus what only code can set. */
export interface GcpBackendSettings extends Partial<GcpBackendOptions> {
  logger?: Logger
  /** Credentials to use instead of Application Default Credentials (a stand-in's, tests). */
  auth?: GoogleAuth | AuthClient
  /** How long a new VM may take to answer over SSH; default 5 minutes. */
  sshReadyTimeoutMs?: number
}

/** Labels on every VM (GCP label keys allow no dots). */
export const VM_LABELS = {
  managed: 'cooperbench-managed',
  run: 'cooperbench-run',
  creatorPid: 'cooperbench-creator-pid',
  creatorStart: 'cooperbench-creator-start',
  creatorHost: 'cooperbench-creator-host',
} as const

/** Where a --git pair's shared remote lives on its VM. */
const SHARED_ROOT = '/var/tmp/cooperbench-shared'
/** How long a sandbox's container lives at most on its VM: a bound on leaks. */
const KEEP_ALIVE_SECONDS = 24 * 3600
const STARTUP_TIMEOUT_MS = 120_000
/** A pull of a task image (several GB) on a fresh VM. */
const PULL_TIMEOUT_MS = 30 * 60_000

/**
 * Backend `gcp`: sandboxes are containers on a pool of Compute Engine VMs (up to `poolSize`,
 * several sandboxes each, reused across the run's pairs, deleted when it ends), driven with their
 * `docker` over SSH with an ephemeral key given through instance metadata.
 */
export class GcpBackend implements Backend {
  readonly specificationVersion = 'backend-v1' as const
  readonly name = 'gcp'
  readonly capabilities: BackendCapabilities
  readonly options: GcpBackendOptions
  private readonly logger: Logger
  private readonly sandboxes = new ManagedSandboxes<GcpSandbox>('gcp')
  private readonly keys: RunKeyPair = generateRunKeyPair()
  private readonly injectedAuth: GoogleAuth | AuthClient | undefined
  private readonly sshReadyTimeoutMs: number
  private fleetPromise: Promise<{ fleet: ComputeFleet; google: GoogleSettings }> | undefined
  private batchClients: { jobs: BatchJobs; bucket: StagingBucket } | undefined
  /** Present with `batchEval`: the harness then hands it every evaluation at once. */
  readonly runScriptedJobs?: (jobs: ScriptedJob[], options: RunScriptedJobsOptions) => Promise<void>
  private pool: VmPool | undefined
  private runLabel = 'unnamed'
  /** When each live VM of this backend was created; VM-seconds of those already deleted. */
  private readonly vmStarted = new Map<string, number>()
  private vmSecondsDone = 0
  /** The --git pairs' bare repositories, per VM and path (see `teamRemote`). */
  private readonly teamRemotes = new Map<string, Promise<void>>()

  constructor(settings: GcpBackendSettings = {}) {
    const { logger, auth, sshReadyTimeoutMs, ...options } = settings
    this.options = { ...GCP_DEFAULTS, ...options }
    this.logger = logger ?? silentLogger
    this.injectedAuth = auth
    this.sshReadyTimeoutMs = sshReadyTimeoutMs ?? 5 * 60_000
    this.capabilities = { isolation: 'vm', network: !this.options.blockNetwork, snapshots: false }
    if (this.options.batchEval) this.runScriptedJobs = (jobs, options) => this.evaluateOnBatch(jobs, options)
  }

  private async batch(): Promise<{ jobs: BatchJobs; bucket: StagingBucket }> {
    const { google } = await this.fleet()
    const [{ BatchJobs }, { StagingBucket }] = await Promise.all([import('./batch/batch-jobs.js'), import('./batch/bucket.js')])
    this.batchClients ??= {
      jobs: new BatchJobs({ ...google, region: this.batchRegion() }),
      bucket: new StagingBucket({ ...google, bucket: this.options.bucket ?? defaultBucket(google.project) }),
    }
    return this.batchClients
  }

  private batchRegion(): string {
    return this.options.region ?? regionOf(this.options.zone)
  }

  /** For `cooperbench config gcp`: a one-task Batch job of `image`, run to its end as the configured service account. */
  async checkBatch(image: string, signal?: AbortSignal): Promise<BatchCheck> {
    const { checkBatchRuns } = await import('./batch/batch-check.js')
    return checkBatchRuns((await this.batch()).jobs, { image, options: this.options, labels: this.managedLabels(), ...(signal ? { signal } : {}) })
  }

  private async evaluateOnBatch(jobs: ScriptedJob[], options: RunScriptedJobsOptions): Promise<void> {
    const first = jobs[0]
    if (first === undefined) return
    this.runLabel = labelValue(first.labels[SANDBOX_LABELS.run] ?? this.runLabel)
    const clients = await this.batch()
    const { bucket } = clients
    if (!(await bucket.exists())) {
      throw new CooperbenchError('BACKEND_UNAVAILABLE', `the Cloud Storage bucket ${bucket.name} that stages Batch evaluations does not exist`, {
        hint: `\`cooperbench config gcp\` creates it (or set backends.gcp.bucket to one of yours); \`backends.gcp.batchEval: false\` evaluates on the VM pool instead.`,
      })
    }
    const { runOnBatch } = await import('./batch/batch-evaluation.js')
    await runOnBatch({ ...clients, options: this.options, labels: this.managedLabels(), runLabel: this.runLabel, logger: this.logger }, jobs, options)
  }

  /** For `cooperbench config gcp`: enables the required APIs and creates the Batch staging bucket when missing. */
  async prepareProject(): Promise<{ services: ServiceState[]; bucket: string; bucketCreated: boolean; region: string }> {
    const { google } = await this.fleet()
    const services = await ensureServices(google.auth, google.project, this.options.apiEndpoint)
    const region = this.batchRegion()
    const { bucket } = await this.batch()
    const exists = await bucket.exists()
    if (!exists) await bucket.create(region)
    return { services, bucket: bucket.name, bucketCreated: !exists, region }
  }

  /** Labels of everything this backend makes on GCP: managed, the run, the creating process. */
  private managedLabels(): Record<string, string> {
    return { [VM_LABELS.managed]: 'true', [VM_LABELS.run]: this.runLabel, ...creator.current() }
  }

  /** Checks credentials and project, and that the Compute API answers. */
  async preflight(): Promise<void> {
    const { fleet, google } = await this.fleet()
    const { project } = google
    try {
      await fleet.list({ [VM_LABELS.managed]: 'true' })
    } catch (error) {
      const disabled = (error as { reason?: string }).reason === 'SERVICE_DISABLED'
      throw new CooperbenchError('BACKEND_UNAVAILABLE', `the Compute Engine API does not answer for project ${project}: ${firstLine(error)}`, {
        hint: disabled
          ? `It is not enabled in project ${project}: \`cooperbench config gcp --project ${project}\` enables the APIs the backend needs (or \`gcloud services enable compute.googleapis.com batch.googleapis.com --project ${project}\`).`
          : `Enable it (\`gcloud services enable compute.googleapis.com --project ${project}\`) and check the credentials' roles (Compute Instance Admin).`,
        cause: error,
      })
    }
  }

  /** At most: every sandbox living its full time limit (or an hour), `sandboxesPerVm` to a VM, at the on-demand price. */
  estimateCost(work: PlannedWork): CostEstimate | null {
    const price = hourlyPrice(this.options.machineType)
    if (price === null || work.sandboxes === 0) return null
    const hours = (work.sandboxMs ?? 3600_000) / 3600_000
    const vmHours = Math.ceil(work.sandboxes / this.options.sandboxesPerVm) * hours
    const limit = work.sandboxMs === null ? 'an hour each (no agent time limit is set)' : `the agents' time limit of ${Math.round(hours * 60)} min each`
    return {
      usd: vmHours * price,
      detail: `${vmHours.toFixed(1)} VM-hours of ${this.options.machineType} at $${price.toFixed(4)}/h: ${work.sandboxes} sandboxes, ${this.options.sandboxesPerVm} per VM, ${limit}; ${PRICE_SOURCE}${this.options.spot ? '; Spot VMs cost less' : ''}`,
    }
  }

  /** VM-seconds of this backend's VMs so far (live ones up to now), and their on-demand price. */
  usage(): Record<string, number> {
    const now = Date.now()
    let seconds = this.vmSecondsDone
    for (const started of this.vmStarted.values()) seconds += (now - started) / 1000
    const price = hourlyPrice(this.options.machineType)
    return { vm_seconds: Math.round(seconds), ...(price === null ? {} : { vm_cost_usd: Math.round((seconds / 3600) * price * 10_000) / 10_000 }) }
  }

  supportsTask(): TaskSupport {
    return { ok: true }
  }

  async createSandbox(spec: SandboxSpec, signal?: AbortSignal): Promise<GcpSandbox> {
    const cancel = this.sandboxes.creationSignal(signal)
    this.runLabel = labelValue(spec.labels[SANDBOX_LABELS.run] ?? this.runLabel)
    const pool = await this.vmPool()
    // Sandboxes sharing directories (a --git remote) share one VM, whose places they take together.
    const group = spec.sharedDirs?.length ? spec.sharedDirs.map((d) => d.hostPath).join('|') : undefined
    const groupSize = spec.group?.members.length ?? 2
    let vm: PooledVm
    try {
      vm = await pool.acquire(cancel, group, group === undefined ? 1 : groupSize, spec.waitingForPlace?.bind(spec))
    } catch (error) {
      if (cancel.aborted || isCooperbenchError(error)) throw error
      throw new CooperbenchError('BACKEND_UNAVAILABLE', `no VM for a sandbox of ${spec.image}: ${firstLine(error)}`, {
        hint: vmFailureHint(error, this.options),
        cause: error,
      })
    }
    const id = `cb-${spec.role.replace(/[^a-z0-9-]/gi, '')}-${randomBytes(4).toString('hex')}`
    let sandbox: GcpSandbox | undefined
    const mounts = (spec.sharedDirs ?? []).map((dir) => ({
      vmPath: `${SHARED_ROOT}/${createHash('sha256').update(dir.hostPath).digest('hex').slice(0, 16)}${dir.sandboxPath}`,
      sandboxPath: dir.sandboxPath,
    }))
    const release = () => {
      if (pool.release(vm, group) && mounts.length > 0) {
        for (const mount of mounts) this.teamRemotes.delete(teamRemoteKey(vm, mount.vmPath))
        const paths = mounts.map((m) => shellQuote(m.vmPath.slice(0, m.vmPath.length - m.sandboxPath.length))).join(' ')
        void vm.connection.run(`sudo -n rm -rf ${paths} 2>/dev/null || rm -rf ${paths}`).catch(() => {})
      }
    }
    try {
      await this.startContainer(vm, id, spec, mounts, cancel)
      const path = await this.startupCheck(vm, id, spec, cancel)
      sandbox = new GcpSandbox({
        id,
        vm: vm.name,
        connection: vm.connection,
        path,
        maxOutputBytes: this.options.maxOutputBytes,
        onTerminated: () => {
          this.sandboxes.forget(id)
          release()
        },
        onVmLost: () => {
          this.logger.warn(`gcp: VM ${vm.name} stopped answering (preempted or deleted); its sandboxes fail and new ones go elsewhere`)
          void pool.discard(vm)
        },
      })
      this.sandboxes.add(id, sandbox)
      return sandbox
    } catch (error) {
      if (!sandbox) {
        const answered = (await vm.connection.run(`docker rm -f ${shellQuote(id)} >/dev/null 2>&1 || true`).catch(() => null)) !== null
        release()
        if (!answered) void pool.discard(vm)
      }
      if (cancel.aborted || isCooperbenchError(error)) throw error
      throw new CooperbenchError('SANDBOX_FAILED', `cannot start a sandbox of ${spec.image} on VM ${vm.name}: ${firstLine(error)}`, {
        hint: 'The VM may have been preempted or be unreachable; the pair is an infrastructure failure and a rerun retries it.',
        cause: error,
      })
    }
  }

  /** Deletes leftover VMs (label `cooperbench-managed=true`, and the run's): by default those whose creating process is gone. */
  async reap(filter: ReapFilter = {}): Promise<number> {
    const { fleet } = await this.fleet()
    const own = new Set(this.pool?.names() ?? [])
    const vms = (await this.listManaged(filter.runName)).map((vm) => ({ id: vm.name, labels: vm.labels }))
    // The entries are VMs, not sandboxes: this backend's own are those of its pool.
    return this.sandboxes.reap(vms, {
      includeLive: filter.includeLive,
      isCurrent: () => false,
      isAlive: (vm) => (own.has(vm.id) ? true : creator.isAlive(vm.labels)),
      remove: async (stale) => {
        for (const vm of stale) await fleet.delete(vm.id)
        return stale.length
      },
    })
  }

  async listSandboxes(filter: { runName?: string } = {}): Promise<SandboxInfo[]> {
    const own = new Set(this.pool?.names() ?? [])
    return (await this.listManaged(filter.runName)).map((vm) => ({
      id: vm.name,
      labels: vm.labels,
      state: vm.status.toLowerCase(),
      createdAt: null,
      ownerAlive: own.has(vm.name) ? true : creator.isAlive(vm.labels),
    }))
  }

  /** Removes the sandboxes still held and deletes every VM of the run. */
  async close(): Promise<void> {
    await this.sandboxes.close()
    await this.pool?.close()
    this.pool = undefined
    const fleet = this.fleetPromise
    // A later list or reap (after the run) makes a new client.
    this.fleetPromise = undefined
    if (fleet) await (await fleet.catch(() => null))?.fleet.close()
    await this.batchClients?.jobs.close()
    this.batchClients = undefined
  }

  private async startContainer(
    vm: PooledVm,
    id: string,
    spec: SandboxSpec,
    mounts: Array<{ vmPath: string; sandboxPath: string }>,
    signal: AbortSignal,
  ): Promise<void> {
    const labels = {
      ...spec.labels,
      [SANDBOX_LABELS.role]: spec.labels[SANDBOX_LABELS.role] ?? spec.role,
      'cooperbench.managed': 'true',
      'cooperbench.task': `${spec.task.repo}/${spec.task.taskId}`,
    }
    const image = shellQuote(spec.image)
    const pulled = await this.onVm(vm, `docker image inspect ${image} >/dev/null 2>&1 || docker pull -q ${image}`, PULL_TIMEOUT_MS, signal)
    if (pulled.exitCode !== 0) {
      throw new CooperbenchError(
        'SANDBOX_FAILED',
        `VM ${vm.name} cannot pull ${spec.image}: ${pulled.output.trim().split('\n').at(-1) ?? `exit ${pulled.exitCode}`}`,
        {
          hint: 'Task images are pulled from their registry on each VM: check the name (image.namespace/image.template) and that the VM can reach the registry.',
        },
      )
    }
    for (const mount of mounts) await this.teamRemote(vm, image, mount.vmPath)
    signal.throwIfAborted()
    const run = [
      'docker run -d --init',
      ...mounts.map((m) => `-v ${shellQuote(`${m.vmPath}:${m.sandboxPath}:rw`)}`),
      `--name ${shellQuote(id)}`,
      ...Object.entries(labels).map(([key, value]) => `--label ${shellQuote(`${key}=${value}`)}`),
      `--cpus ${this.options.cpusPerSandbox}`,
      `--memory ${this.options.memoryMiBPerSandbox}m`,
      `--network ${this.options.blockNetwork ? 'none' : 'bridge'}`,
      '-w /workspace/repo',
      `--entrypoint sleep ${image} ${KEEP_ALIVE_SECONDS}`,
    ].join(' ')
    const started = await this.onVm(vm, run, STARTUP_TIMEOUT_MS, signal)
    if (started.exitCode !== 0) throw new Error(`docker run failed on VM ${vm.name}: ${started.output.trim()}`)
  }

  /** The startup check and cleaning of a new container, as root (backend-kit's `startPulledSandbox`); returns the image's PATH. */
  private startupCheck(vm: PooledVm, id: string, spec: SandboxSpec, signal: AbortSignal): Promise<string> {
    const runAsRoot = (argv: string[], timeoutMs: number) =>
      this.onVm(vm, ['docker exec -u 0', shellQuote(id), ...argv.map(shellQuote)].join(' '), timeoutMs, signal)
    const failedHint = `The lines above are what the container printed; try \`docker run --rm -it --entrypoint bash ${spec.image}\` on a machine with the image.`
    return startPulledSandbox(runAsRoot, `${id} on VM ${vm.name}`, spec, failedHint)
  }

  /**
   * Makes a --git pair's bare repository at `vmPath` once (two `git init` of one directory at once
   * collide), with the task image's git (`image` shell-quoted; the VM's OS may have none).
   */
  private teamRemote(vm: PooledVm, image: string, vmPath: string): Promise<void> {
    return sharedPerKey(this.teamRemotes, teamRemoteKey(vm, vmPath), async () => {
      const init = `mkdir -p ${shellQuote(vmPath)} && docker run --rm --network none -v ${shellQuote(`${vmPath}:/r`)} --entrypoint git ${image} init -q --bare /r`
      // Shared by the pair's sandboxes: no one sandbox's cancellation stops it (it is bounded by the timeout).
      const { exitCode, output } = await this.onVm(vm, init, STARTUP_TIMEOUT_MS, new AbortController().signal)
      if (exitCode !== 0) throw new Error(`cannot make the pair's shared git remote on VM ${vm.name}: ${output.trim()}`)
    })
  }

  /** A command on the VM with a bound; `output` is both streams. */
  private async onVm(vm: PooledVm, command: string, timeoutMs: number, signal: AbortSignal): Promise<RootCommandResult & { output: string }> {
    const out: Buffer[] = []
    const err: Buffer[] = []
    const bounded = `timeout ${Math.ceil(timeoutMs / 1000)} sh -c ${shellQuote(command)}`
    signal.throwIfAborted()
    const result = await vm.connection.run(bounded, { onStdout: (c) => out.push(c), onStderr: (c) => err.push(c) })
    const stdout = Buffer.concat(out).toString('utf8')
    const stderr = Buffer.concat(err).toString('utf8')
    return { exitCode: result.code, stdout, stderr, output: `${stdout}${stderr}` }
  }

  private fleet(): Promise<{ fleet: ComputeFleet; google: GoogleSettings }> {
    this.fleetPromise ??= (async () => {
      const { auth, project } = this.injectedAuth ? { auth: this.injectedAuth, project: this.options.project } : await findGcpCredentials(this.options.project)
      if (!project) {
        throw new CooperbenchError('BACKEND_UNAVAILABLE', 'no Google Cloud project: set backends.gcp.project', {
          hint: 'Set backends.gcp.project or GOOGLE_CLOUD_PROJECT.',
        })
      }
      const google = { project, auth, ...(this.options.apiEndpoint ? { apiEndpoint: this.options.apiEndpoint } : {}) }
      // Google's clients load once there are credentials: a run without them ends before their seconds of loading.
      const { ComputeFleet } = await import('./compute.js')
      return { fleet: new ComputeFleet({ ...google, zone: this.options.zone }), google }
    })()
    this.fleetPromise.catch(() => (this.fleetPromise = undefined))
    return this.fleetPromise
  }

  private async vmPool(): Promise<VmPool> {
    const { fleet } = await this.fleet()
    this.pool ??= new VmPool({
      poolSize: this.options.poolSize,
      capacity: this.options.sandboxesPerVm,
      logger: this.logger,
      destroy: async (name) => {
        await fleet.delete(name)
        this.vmStopped(name)
      },
      create: async (signal) => {
        await this.sshFirewall()
        const name = vmName(this.runLabel)
        let info: VmInfo
        try {
          info = await fleet.create(
            {
              name,
              machineType: this.options.machineType,
              sourceImage: this.options.sourceImage,
              diskSizeGb: this.options.diskSizeGb,
              network: this.options.network,
              spot: this.options.spot,
              labels: this.managedLabels(),
              sshKey: `${this.options.sshUser}:${this.keys.publicKey}`,
              serviceAccount: this.options.serviceAccount ?? 'default',
              externalIp: this.options.externalIp,
              tags: [SSH_NETWORK_TAG],
            },
            signal,
          )
        } catch (error) {
          await fleet.delete(name).catch(() => {})
          throw externalIpRefusal(error) ?? error
        }
        this.vmStarted.set(name, Date.now())
        const connection = new VmConnection({
          host: info.address,
          port: this.options.sshPort,
          username: this.options.sshUser,
          privateKey: this.keys.privateKey,
        })
        try {
          const started = Date.now()
          await connection.connect(this.sshReadyTimeoutMs, signal)
          await waitForDocker(connection, name, Math.max(60_000, this.sshReadyTimeoutMs - (Date.now() - started)), signal)
        } catch (error) {
          connection.close()
          await fleet.delete(name).catch(() => {})
          this.vmStopped(name)
          throw error
        }
        this.logger.debug(`gcp: VM ${name} at ${info.address} is ready`)
        return { name, connection }
      },
    })
    return this.pool
  }

  /** Once per backend: a firewall rule lets SSH reach the VMs, unless `sshFirewall` is off. */
  private readonly sshFirewall = onceUntilDone(async () => {
    if (!this.options.sshFirewall) return
    const { google } = await this.fleet()
    const { ensureSshRule } = await import('./firewall.js')
    await ensureSshRule({ ...google, zone: this.options.zone }, this.options, this.logger)
  })

  private vmStopped(name: string): void {
    const started = this.vmStarted.get(name)
    if (started === undefined) return
    this.vmStarted.delete(name)
    this.vmSecondsDone += (Date.now() - started) / 1000
  }

  private async listManaged(runName?: string): Promise<VmInfo[]> {
    const { fleet } = await this.fleet()
    return fleet.list({ [VM_LABELS.managed]: 'true', ...(runName ? { [VM_LABELS.run]: labelValue(runName) } : {}) })
  }
}

/** A GCP label value: lowercase letters, digits, `-` and `_`, at most 63 characters. */
export function labelValue(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '-')
    .slice(0, 63)
}

/** A VM name for a run: Compute Engine names match `[a-z]([-a-z0-9]{0,61}[a-z0-9])?`, while run labels keep `_`. */
export function vmName(runLabel: string): string {
  const stem = runLabel
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40)
    .replace(/-$/, '')
  return `cb-${stem ? `${stem}-` : ''}${randomBytes(3).toString('hex')}`
}

/** The labels naming the process that created a VM, as label values. */
const creator = new CreatorLabels({ pid: VM_LABELS.creatorPid, start: VM_LABELS.creatorStart, host: VM_LABELS.creatorHost }, { encode: labelValue })

/** The key of a --git pair's bare repository in `GcpBackend.teamRemotes`: its VM and its path there. */
function teamRemoteKey(vm: PooledVm, vmPath: string): string {
  return `${vm.name}\0${vmPath}`
}
