import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { randomBytes, randomInt } from 'node:crypto'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { signalProcessGroup } from '@cooperbench/backend-kit'
import { readJson, send, type StandinRoute } from './http.js'
import { type FirewallRule, type ProjectPolicies, projectPolicies } from './fake-project-policies.js'
import { accepts, sshdConfig } from './sshd-config.js'

/**
 * A stand-in for the Compute Engine REST API on 127.0.0.1, answering Google's client with the
 * real JSON shapes for what backend `gcp` uses (instances insert/get/list/delete, zone
 * operations wait). Its "VMs" are real hosts reached over real SSH: each is an `sshd` of its
 * own on a loopback address (127.x.y.z, the VM's IP) that accepts the key from the instance's
 * `ssh-keys` metadata, in front of this machine's Docker engine. A `docker` shim on the VM's
 * PATH labels the containers it runs with the VM, so deleting or preempting a VM removes them,
 * as losing a real VM does.
 */
export interface FakeCompute {
  /** `http://127.0.0.1:<port>`: the backend's `apiEndpoint`. */
  readonly endpoint: string
  /** The port every VM's sshd listens on. */
  readonly sshPort: number
  /** Requests received, `METHOD path`, for tests. */
  readonly requests: string[]
  /** VMs that exist (not deleted), with their state. */
  vms(): Array<{ name: string; address: string; status: string; labels: Record<string, string>; inserted: Record<string, unknown> }>
  /** The next inserts fail with this Compute error (e.g. a quota error). */
  failNextInserts(count: number, message?: string): void
  /** The project's firewall rules now. */
  firewalls(): FirewallRule[]
  /** Preempts a VM: it stops (status TERMINATED), its sshd and its containers go. */
  preempt(name: string): Promise<void>
  close(): Promise<void>
}

export interface FakeComputeOptions {
  /** `sshd`; default `/usr/sbin/sshd`. */
  sshd?: string
  /** Other Google APIs served on the same endpoint (the Batch and Storage stand-ins). */
  routes?: StandinRoute[]
  /** Routes answered before the credentials check (the token exchange that hands them out). */
  publicRoutes?: StandinRoute[]
  /** Firewall, OS Login and organisation policies of the project (default: a default network's rules, no policy). */
  policies?: ProjectPolicies
  /** How long after a VM starts its Docker answers (Container-Optimized OS starts it after sshd). */
  dockerStartDelayMs?: number
}

/** Label the docker shim puts on every container a VM runs. */
export const STANDIN_VM_LABEL = 'cooperbench.standin-vm'

interface Vm {
  name: string
  /** The instance resource as inserted (service accounts, disks, metadata). */
  inserted: Record<string, unknown>
  address: string
  status: 'PROVISIONING' | 'RUNNING' | 'TERMINATED'
  labels: Record<string, string>
  metadata: unknown
  machineType: string
  id: string
  created: string
  sshd: ChildProcess | null
  dir: string
  /** Keys its sshd accepts, kept for a VM that no firewall rule lets SSH reach yet (its sshd starts when one does). */
  keys: string[]
  unreachable: boolean
}

interface Operation {
  id: string
  name: string
  operationType: 'insert' | 'delete'
  target: string
  status: 'RUNNING' | 'DONE'
  error?: { errors: Array<{ code: string; message: string }> }
  done: Promise<void>
  insertTime: string
}

/** Whether this machine can run the stand-in's VMs: sshd present and root (sshd's privilege separation needs it). */
export function fakeComputeProblem(sshd = '/usr/sbin/sshd'): string | null {
  try {
    execFileSync(sshd, ['-V'], { stdio: 'ignore' })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return `sshd is not installed (${sshd}; Debian: openssh-server)`
  }
  if (process.getuid?.() !== 0) return 'the stand-in VMs run sshd, which needs root'
  return null
}

export async function startFakeCompute(options: FakeComputeOptions = {}): Promise<FakeCompute> {
  const sshd = options.sshd ?? '/usr/sbin/sshd'
  const problem = fakeComputeProblem(sshd)
  if (problem) throw new Error(`the Compute stand-in cannot run here: ${problem}`)
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 })
  const root = mkdtempSync(join(tmpdir(), 'cooperbench-fake-compute-'))
  const docker = findOnPath('docker')
  // Every VM's sshd listens on this port at its own address. The stand-in holds the port on
  // 127.0.0.1 for its lifetime, so no listener on all addresses (a test server's `listen(0)`) can
  // take it from a VM that starts later.
  const reservation = await reservePort()
  const sshPort = (reservation.address() as { port: number }).port
  const vms = new Map<string, Vm>()
  const operations = new Map<string, Operation>()
  const requests: string[] = []
  let insertFaults: string[] = []
  const project = { value: '' }

  const vmUrl = (p: string, z: string, name: string) => `http://compute.local/compute/v1/projects/${p}/zones/${z}/instances/${name}`

  const policies = projectPolicies(options.policies ?? {}, () => {
    for (const vm of vms.values()) {
      if (!vm.unreachable || vm.status !== 'RUNNING' || !reachable(vm)) continue
      vm.unreachable = false
      void startVm(vm, vm.keys).catch(() => {})
    }
  })
  const reachable = (vm: Vm) => {
    const nic = (vm.inserted.networkInterfaces as Array<{ network?: string }> | undefined)?.[0]
    return policies.sshAllowed(nic?.network ?? 'default', (vm.inserted.tags as { items?: string[] } | undefined)?.items ?? [], sshPort)
  }
  const startVm = async (vm: Vm, sshKeys: string[]): Promise<void> => {
    mkdirSync(vm.dir, { recursive: true })
    // OpenSSH's own key generator: sshd now and then refused a host key written by ssh2's ("error in libcrypto").
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(vm.dir, 'host_key')], { stdio: 'ignore' })
    writeFileSync(join(vm.dir, 'authorized_keys'), `${sshKeys.join('\n')}\n`, { mode: 0o600 })
    const bin = join(vm.dir, 'bin')
    mkdirSync(bin)
    // The VM's docker: containers it runs carry the VM's name.
    writeFileSync(
      join(bin, 'docker'),
      [
        '#!/bin/sh',
        // Until the VM's Docker has started, its client says what the real one says.
        `if [ "$(date +%s)" -lt ${Math.ceil((Date.now() + (options.dockerStartDelayMs ?? 0)) / 1000)} ]; then`,
        '  echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2; exit 1',
        'fi',
        `if [ "$1" = run ]; then shift; exec ${docker} run --label ${STANDIN_VM_LABEL}=${vm.name} "$@"; fi`,
        `exec ${docker} "$@"`,
        '',
      ].join('\n'),
    )
    chmodSync(join(bin, 'docker'), 0o755)
    writeFileSync(
      join(vm.dir, 'sshd_config'),
      sshdConfig({
        port: sshPort,
        address: vm.address,
        hostKey: join(vm.dir, 'host_key'),
        authorizedKeys: join(vm.dir, 'authorized_keys'),
        // The login shell runs the ForceCommand, with the VM's docker first on PATH.
        extra: [`ForceCommand PATH=${bin}:$PATH; export PATH; exec /bin/sh -c "$SSH_ORIGINAL_COMMAND"`],
      }),
    )
    // A process group of its own: stopping the VM kills the per-connection sshd children too, so
    // open connections drop as they do when a real VM goes away.
    const started = spawn(sshd, ['-D', '-e', '-f', join(vm.dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'], detached: true })
    vm.sshd = started
    let stderr = ''
    started.stderr?.on('data', (chunk: Buffer) => (stderr = `${stderr}${chunk.toString()}`.slice(-2000)))
    const exited = new Promise<number | null>((resolve) => started.once('exit', (code) => resolve(code)))
    void exited.then(() => {
      if (vm.sshd === started) vm.sshd = null
    })
    // The VM is RUNNING once its sshd listens; one that cannot start fails the insert, saying why.
    const deadline = Date.now() + SSHD_START_TIMEOUT_MS
    while (!(await accepts(vm.address, sshPort))) {
      const code = await Promise.race([exited, sleep(100, 'running' as const)])
      if (code !== 'running') throw new Error(`the sshd of stand-in VM ${vm.name} exited (code ${code}): ${stderr.trim() || 'no output'}`)
      if (Date.now() > deadline)
        throw new Error(
          `the sshd of stand-in VM ${vm.name} did not listen on ${vm.address}:${sshPort} within ${SSHD_START_TIMEOUT_MS / 1000} s: ${stderr.trim() || 'no output'}`,
        )
    }
  }

  const stopVm = async (vm: Vm): Promise<void> => {
    if (vm.sshd !== null) signalProcessGroup(vm.sshd)
    vm.sshd = null
    try {
      const ids = execFileSync(docker, ['ps', '-aq', '--filter', `label=${STANDIN_VM_LABEL}=${vm.name}`], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean)
      if (ids.length > 0) execFileSync(docker, ['rm', '-f', ...ids], { stdio: 'ignore' })
    } catch {
      // The engine is gone: so are the containers.
    }
  }

  const operation = (p: string, z: string, type: Operation['operationType'], target: string, work: () => Promise<void>): Operation => {
    const id = String(randomInt(1e9, 9e9))
    const op: Operation = {
      id,
      name: `operation-${Date.now()}-${randomBytes(6).toString('hex')}`,
      operationType: type,
      target: vmUrl(p, z, target),
      status: 'RUNNING',
      insertTime: new Date().toISOString(),
      done: Promise.resolve(),
    }
    op.done = work().then(
      () => {
        op.status = 'DONE'
      },
      (error: unknown) => {
        op.status = 'DONE'
        op.error = { errors: [{ code: (error as { code?: string }).code ?? 'RESOURCE_OPERATION_FAILED', message: (error as Error).message }] }
      },
    )
    operations.set(op.name, op)
    return op
  }

  const opJson = (op: Operation, p: string, z: string) => ({
    kind: 'compute#operation',
    id: op.id,
    name: op.name,
    zone: `http://compute.local/compute/v1/projects/${p}/zones/${z}`,
    operationType: op.operationType,
    targetLink: op.target,
    status: op.status,
    progress: op.status === 'DONE' ? 100 : 0,
    insertTime: op.insertTime,
    selfLink: `http://compute.local/compute/v1/projects/${p}/zones/${z}/operations/${op.name}`,
    ...(op.error ? { error: op.error } : {}),
  })

  const vmJson = (vm: Vm, p: string, z: string) => ({
    kind: 'compute#instance',
    id: vm.id,
    name: vm.name,
    status: vm.status,
    zone: `http://compute.local/compute/v1/projects/${p}/zones/${z}`,
    machineType: vm.machineType,
    labels: vm.labels,
    metadata: vm.metadata,
    serviceAccounts: vm.inserted.serviceAccounts ?? [],
    creationTimestamp: vm.created,
    selfLink: vmUrl(p, z, vm.name),
    networkInterfaces: [
      {
        kind: 'compute#networkInterface',
        name: 'nic0',
        network: `http://compute.local/compute/v1/projects/${p}/global/networks/default`,
        networkIP: vm.address,
        accessConfigs: [{ kind: 'compute#accessConfig', type: 'ONE_TO_ONE_NAT', name: 'External NAT', natIP: vm.address, networkTier: 'PREMIUM' }],
      },
    ],
  })

  const notFound = (res: ServerResponse, what: string) =>
    send(res, 404, {
      error: {
        code: 404,
        message: `The resource '${what}' was not found`,
        errors: [{ message: `The resource '${what}' was not found`, domain: 'global', reason: 'notFound' }],
      },
    })

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    requests.push(`${req.method} ${url.pathname}`)
    for (const route of options.publicRoutes ?? []) if (await route(req, res, url)) return
    if (!/^Bearer \S+/.test(req.headers.authorization ?? '')) {
      return send(res, 401, { error: { code: 401, message: 'Request is missing required authentication credential.', status: 'UNAUTHENTICATED' } })
    }
    for (const route of options.routes ?? []) if (await route(req, res, url)) return
    if (await policies.route(req, res, url)) return
    const m = /^\/compute\/v1\/projects\/([^/]+)\/zones\/([^/]+)\/(instances|operations)(?:\/([^/]+))?(\/wait)?$/.exec(url.pathname)
    if (!m) return notFound(res, url.pathname)
    const [, p, z, kind, name, wait] = m as unknown as [string, string, string, string, string | undefined, string | undefined]
    project.value = p
    const body = req.method === 'POST' || req.method === 'PUT' ? await readJson(req) : {}
    if (kind === 'operations') {
      const op = name ? operations.get(name) : undefined
      if (!op) return notFound(res, `projects/${p}/zones/${z}/operations/${name}`)
      if (wait) await Promise.race([op.done, sleep(30_000)])
      return send(res, 200, opJson(op, p, z))
    }
    if (req.method === 'POST' && !name) {
      const instance = body as {
        name?: string
        labels?: Record<string, string>
        metadata?: { items?: Array<{ key: string; value: string }> }
        machineType?: string
      }
      // The Instance resource's `name` (RFC 1035): Compute's own 400 for a name off the regex, as gcloud's _ValidateInstanceName checks it.
      if (!instance.name || !/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(instance.name)) {
        return send(res, 400, {
          error: {
            code: 400,
            message: `Invalid value for field 'resource.name': '${instance.name}'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'`,
            errors: [{ reason: 'invalid', domain: 'global' }],
          },
        })
      }
      if (vms.has(instance.name)) {
        return send(res, 409, {
          error: {
            code: 409,
            message: `The resource 'projects/${p}/zones/${z}/instances/${instance.name}' already exists`,
            errors: [{ reason: 'alreadyExists', domain: 'global' }],
          },
        })
      }
      const ipRefusal = policies.externalIpRefusal(
        instance.name,
        (body.networkInterfaces as Array<{ accessConfigs?: unknown[] }> | undefined)?.[0]?.accessConfigs ?? [],
      )
      const fault = insertFaults.shift()
      const metadata = Object.fromEntries((instance.metadata?.items ?? []).map((i) => [i.key, i.value]))
      // With OS Login on, the guest ignores `ssh-keys`: no key of the metadata gets in.
      const keys = policies.osLogin(metadata)
        ? []
        : (metadata['ssh-keys'] ?? '')
            .split('\n')
            .filter(Boolean)
            .map((line) => line.replace(/^[^:]+:/, ''))
      const vm: Vm = {
        name: instance.name,
        inserted: body,
        address: `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`,
        status: 'PROVISIONING',
        labels: instance.labels ?? {},
        metadata: instance.metadata ?? {},
        machineType: instance.machineType ?? '',
        id: String(randomInt(1e12, 9e12)),
        created: new Date().toISOString(),
        sshd: null,
        dir: join(root, instance.name),
        keys,
        unreachable: false,
      }
      const op = operation(p, z, 'insert', vm.name, async () => {
        if (fault !== undefined) throw new Error(fault)
        if (ipRefusal !== null) throw Object.assign(new Error(ipRefusal), { code: 'CONDITION_NOT_MET' })
        vms.set(vm.name, vm)
        if (!reachable(vm)) {
          // RUNNING, and nothing answers on its SSH port until a firewall rule lets it in.
          vm.unreachable = true
          vm.status = 'RUNNING'
          return
        }
        try {
          await startVm(vm, keys)
        } catch (error) {
          await stopVm(vm)
          vms.delete(vm.name)
          throw error
        }
        vm.status = 'RUNNING'
      })
      return send(res, 200, opJson(op, p, z))
    }
    if (req.method === 'GET' && !name) {
      const filters = [...(url.searchParams.get('filter') ?? '').matchAll(/labels\.([\w-]+)\s*=\s*"?([\w-]*)"?/g)].map(([, k, v]) => [k!, v!] as const)
      const items = [...vms.values()].filter((vm) => filters.every(([k, v]) => vm.labels[k] === v)).map((vm) => vmJson(vm, p, z))
      return send(res, 200, {
        kind: 'compute#instanceList',
        id: `projects/${p}/zones/${z}/instances`,
        items,
        selfLink: `http://compute.local/compute/v1/projects/${p}/zones/${z}/instances`,
      })
    }
    const vm = name ? vms.get(name) : undefined
    if (!vm) return notFound(res, `projects/${p}/zones/${z}/instances/${name}`)
    if (req.method === 'GET') return send(res, 200, vmJson(vm, p, z))
    if (req.method === 'DELETE') {
      const op = operation(p, z, 'delete', vm.name, async () => {
        await stopVm(vm)
        vms.delete(vm.name)
        rmSync(vm.dir, { recursive: true, force: true })
      })
      return send(res, 200, opJson(op, p, z))
    }
    return send(res, 405, { error: { code: 405, message: `method ${req.method} is not supported here` } })
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { error: { code: 500, message: (error as Error).message } }))
  })
  // Google's front end keeps an idle client connection for 610 s. Node's default of 5 s closes a
  // pooled connection the client may be about to reuse: its next request fails with ECONNRESET,
  // which the service never causes in the pauses of a run (seen: a VM listing after a VM start).
  server.keepAliveTimeout = GOOGLE_FRONT_END_KEEP_ALIVE_MS
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port

  return {
    endpoint: `http://127.0.0.1:${port}`,
    sshPort,
    requests,
    firewalls: () => policies.firewalls(),
    vms: () => [...vms.values()].map((vm) => ({ name: vm.name, address: vm.address, status: vm.status, labels: vm.labels, inserted: vm.inserted })),
    failNextInserts(count, message = "The zone 'us-central1-a' does not have enough resources available to fulfill the request.") {
      insertFaults = [...insertFaults, ...Array.from({ length: count }, () => message)]
    },
    async preempt(name) {
      const vm = vms.get(name)
      if (!vm) return
      vm.status = 'TERMINATED'
      await stopVm(vm)
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
      for (const vm of vms.values()) await stopVm(vm)
      vms.clear()
      await new Promise<void>((resolve) => reservation.close(() => resolve()))
      rmSync(root, { recursive: true, force: true })
    },
  }
}

const SSHD_START_TIMEOUT_MS = 20_000

/** The client HTTP keep-alive timeout of Google's front ends (Cloud Load Balancing: request distribution). */
const GOOGLE_FRONT_END_KEEP_ALIVE_MS = 610_000

/** A listener on 127.0.0.1 holding a free port that no listener on all addresses can take. */
async function reservePort(): Promise<TcpServer> {
  const holder = createTcpServer((socket) => socket.destroy())
  await new Promise<void>((resolve, reject) => {
    holder.once('error', reject)
    holder.listen(0, '127.0.0.1', () => resolve())
  })
  holder.unref()
  return holder
}

export function findOnPath(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name)
    try {
      execFileSync(candidate, ['--version'], { stdio: 'ignore' })
      return candidate
    } catch {
      // not here
    }
  }
  throw new Error(`${name} is not on PATH: the stand-in's VMs run containers with it`)
}
