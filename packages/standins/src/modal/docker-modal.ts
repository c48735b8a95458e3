import { randomBytes } from 'node:crypto'
import { cpus } from 'node:os'
import { PassThrough, type Duplex } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import type Docker from 'dockerode'
import { NotFoundError } from 'modal'
import { ClientError, Status } from 'nice-grpc-common'
import type { ModalApp, ModalImageRef, ModalProcess, ModalSandboxHandle, ModalSurface } from './modal-surface.js'
import { appFromName, checkCreateParams, checkExecParams, listRefusal, tagRefusal } from './modal-rules.js'
import { HostTunnel, readStream, writeStream } from './sdk-streams.js'
import { canEnterContainers, type ContainerEntry, containerEntry, enteredExitCode, entryAlive, startEnteredExec } from './entered-exec.js'

/**
 * A stand-in for Modal behind the `modal` backend's port ({@link ModalSurface}): the backend's
 * real code runs against it, and its sandboxes are real containers on the local Docker engine. What Modal would pull from a
 * registry (`images.fromRegistry(tag)`) must already be a local image of that tag (no registry
 * is reached). The SDK's own classes and messages are used where the backend looks at them:
 * `ClientError` with gRPC codes for failed calls, the SDK's image-build and exec-deadline
 * messages, the SDK's `Tunnel` shape for tunnels, `NotFoundError` for a missing app.
 *
 * Mapping: a sandbox is a container (entrypoint `sleep` for the sandbox's lifetime, as Modal's
 * default command sleeps until the timeout), tags are container labels, `blockNetwork` is
 * network `none` and otherwise the host's network (so a tunnel to port P is 127.0.0.1:P), an
 * exec is a Docker exec (for root: the same command entered with `nsenter`, `./entered-exec.ts`,
 * a twentieth of the CPU), terminate removes the container. It refuses what Modal refuses
 * (`./modal-rules.ts`): tags outside `[A-Za-z0-9._-]{1,63}`, timeouts that are not whole seconds,
 * relative work dirs, over-long argv.
 */
export interface DockerModalStandin extends ModalSurface {
  /** When each sandbox creation reached the control plane (ms since the epoch), failed ones included. */
  readonly createCalls: number[]
  /** The next creations fail with these gRPC codes, in order (e.g. `Status.UNAVAILABLE`). */
  failNextCreates(...codes: Status[]): void
  /** Stops a sandbox from outside, as Modal does when it ends one (its lifetime, memory, an incident). */
  killSandbox(sandboxId: string): Promise<void>
  /** Sandboxes of this stand-in still running. */
  runningSandboxIds(): Promise<string[]>
}

export interface DockerModalStandinOptions {
  docker: Docker
  /** Label put on every container, so a test can find (and remove) what it made. */
  marker?: string
}

/** Label of every stand-in container; its value is the stand-in's marker. */
export const STANDIN_LABEL = 'cooperbench.modal-standin'
const APP_LABEL = 'cooperbench.modal-standin.app'
const PORTS_LABEL = 'cooperbench.modal-standin.ports'
const NETWORK_LABEL = 'cooperbench.modal-standin.network'
const OWN_LABELS = new Set([STANDIN_LABEL, APP_LABEL, PORTS_LABEL, NETWORK_LABEL])

const RPC = '/modal.client.ModalClient'
/** How long a Docker exec's output is still read after its process exited (measured: ~2 s). */
const ENTERED_DRAIN_MS = 2_000

export function dockerModalStandin(options: DockerModalStandinOptions): DockerModalStandin {
  const { docker } = options
  const marker = options.marker ?? `standin-${randomBytes(4).toString('hex')}`
  const apps = new Map<string, ModalApp>()
  const createFaults: Status[] = []
  const createCalls: number[] = []
  /** Exit codes of sandboxes terminated through the stand-in (their containers are gone). */
  const ended = new Map<string, number>()
  const hostCpus = cpus().length
  const entering = canEnterContainers()
  /** Per running sandbox: how its execs enter it (null: through Docker). */
  const entries = new Map<string, Promise<ContainerEntry | null>>()

  const handle = (sandboxId: string): ModalSandboxHandle => {
    const container = docker.getContainer(sandboxId)
    return {
      sandboxId,
      async getTags() {
        const info = await container.inspect()
        return Object.fromEntries(Object.entries(info.Config.Labels ?? {}).filter(([key]) => !OWN_LABELS.has(key)))
      },
      async poll() {
        const code = ended.get(sandboxId)
        if (code !== undefined) return code
        try {
          const info = await container.inspect()
          return info.State.Running ? null : info.State.ExitCode
        } catch {
          return 137
        }
      },
      async tunnels() {
        const info = await container.inspect()
        const labels = info.Config.Labels ?? {}
        if (labels[NETWORK_LABEL] !== 'host') return {}
        const ports = (labels[PORTS_LABEL] ?? '').split(',').filter(Boolean).map(Number)
        return Object.fromEntries(ports.map((port) => [port, new HostTunnel(port)]))
      },
      exec: (command, params) => startExec(container, sandboxId, command, params),
      async terminate() {
        if (ended.has(sandboxId)) return
        ended.set(sandboxId, 137)
        entries.delete(sandboxId)
        await container.remove({ force: true, v: true }).catch(() => {})
      },
    }
  }

  const startExec = async (
    container: Docker.Container,
    sandboxId: string,
    command: string[],
    params: { workdir?: string; env?: Record<string, string>; timeoutMs?: number },
  ): Promise<ModalProcess> => {
    checkExecParams(command, params)
    if (ended.has(sandboxId)) throw new ClientError(`${RPC}/TaskExecStart`, Status.NOT_FOUND, `Sandbox ${sandboxId} has already terminated`)
    const execId = `ce-${randomBytes(8).toString('hex')}`
    if (entering) {
      let entry = entries.get(sandboxId)
      if (entry === undefined) entries.set(sandboxId, (entry = container.inspect().then(containerEntry, () => null)))
      const entered = await entry
      // A container stopped from outside has no process to enter: Docker says how the exec fails.
      if (entered !== null && entryAlive(entered)) return enteredExec(entered, sandboxId, execId, command, params)
    }
    const exec = await container.exec({
      Cmd: command,
      Env: Object.entries(params.env ?? {}).map(([key, value]) => `${key}=${value}`),
      ...(params.workdir ? { WorkingDir: params.workdir } : {}),
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
    })
    const stream = (await exec.start({ hijack: true, stdin: true })) as Duplex
    const stdout = new PassThrough()
    const stderr = new PassThrough()
    docker.modem.demuxStream(stream, stdout, stderr)
    const closed = new Promise<void>((resolve) => {
      const done = () => {
        stdout.end()
        stderr.end()
        resolve()
      }
      stream.once('end', done)
      stream.once('close', done)
      stream.on('error', done)
    })
    stream.on('error', () => {})
    const deadline = params.timeoutMs ? Date.now() + params.timeoutMs : null
    const wait = async (): Promise<number> => {
      const finished = deadline === null ? closed : Promise.race([closed, sleep(deadline - Date.now(), 'deadline' as const, { ref: false })])
      if ((await finished) === 'deadline') {
        stream.destroy()
        // The SDK's own words when an exec outlives its timeoutMs.
        throw new Error(`Deadline exceeded while waiting for exec ${execId}`)
      }
      for (let i = 0; i < 120; i++) {
        if (ended.has(sandboxId)) return 137
        const info = await exec.inspect().catch(() => null)
        if (info === null) return 137
        if (!info.Running && info.ExitCode !== null) return info.ExitCode
        if (!info.Running) {
          const state = await container.inspect().catch(() => null)
          if (!state?.State.Running) return 137
        }
        await sleep(25)
      }
      return 137
    }
    let waited: Promise<number> | undefined
    return {
      stdin: writeStream(stream),
      stdout: readStream(stdout),
      stderr: readStream(stderr),
      wait: () => (waited ??= wait()),
    }
  }

  /** {@link startExec} through `nsenter`: the same streams, exit codes and deadline. */
  const enteredExec = (
    entry: ContainerEntry,
    sandboxId: string,
    execId: string,
    command: string[],
    params: { workdir?: string; env?: Record<string, string>; timeoutMs?: number },
  ): ModalProcess => {
    const child = startEnteredExec(entry, command, params)
    child.stdin!.on('error', () => {})
    const stdout = new PassThrough()
    const stderr = new PassThrough()
    const pipes = [
      [child.stdout!, stdout],
      [child.stderr!, stderr],
    ] as const
    for (const [from, to] of pipes) from.pipe(to)
    /** Ends what the exec's reader sees, whatever the process's pipes still hold. */
    const cutOutputs = () => {
      for (const [from, to] of pipes) {
        from.unpipe(to)
        from.destroy()
        to.end()
      }
    }
    const drained = Promise.all(pipes.map(([from]) => new Promise<void>((resolve) => from.once('close', resolve))))
    // As a Docker exec: done when its process exits; output still held open by a process it left
    // in the background is read for 2 s more, then cut.
    const exited = new Promise<number>((resolve) => {
      child.once('error', () => resolve(126))
      child.once('exit', (code, signal) => {
        void Promise.race([drained, sleep(ENTERED_DRAIN_MS, undefined, { ref: false })]).then(() => {
          cutOutputs()
          resolve(enteredExitCode(code, signal))
        })
      })
    })
    const deadline = params.timeoutMs ? Date.now() + params.timeoutMs : null
    const wait = async (): Promise<number> => {
      const finished = deadline === null ? exited : Promise.race([exited, sleep(deadline - Date.now(), 'deadline' as const, { ref: false })])
      const outcome = await finished
      if (outcome === 'deadline') {
        child.stdin!.destroy()
        cutOutputs()
        throw new Error(`Deadline exceeded while waiting for exec ${execId}`)
      }
      return ended.has(sandboxId) ? 137 : outcome
    }
    let waited: Promise<number> | undefined
    return {
      stdin: writeStream(child.stdin!),
      stdout: readStream(stdout),
      stderr: readStream(stderr),
      wait: () => (waited ??= wait()),
    }
  }

  return {
    createCalls,
    async appFromName(name, params) {
      return appFromName(apps, name, params)
    },
    async imageFromRegistry(tag) {
      return { tag } satisfies ModalImageRef
    },
    async createSandbox(app, image, params) {
      checkCreateParams(params)
      createCalls.push(Date.now())
      const refused = tagRefusal(`${RPC}/SandboxCreate`, params.tags ?? {})
      if (refused) throw refused
      const fault = createFaults.shift()
      if (fault !== undefined) throw new ClientError(`${RPC}/SandboxCreate`, fault, `stand-in fault ${Status[fault]}`)
      if (!apps.has(app.appId)) throw new ClientError(`${RPC}/SandboxCreate`, Status.NOT_FOUND, `App ${app.appId} not found`)
      const present = await docker
        .getImage(image.tag)
        .inspect()
        .then(() => true)
        .catch(() => false)
      if (!present) {
        throw new Error(`Image build for im-${randomBytes(6).toString('hex')} failed with the exception:\nfailed to pull ${image.tag}: manifest unknown`)
      }
      const sandboxId = `sb-${randomBytes(10).toString('hex')}`
      const network = params.blockNetwork ? 'none' : 'host'
      const ports = [...(params.unencryptedPorts ?? []), ...(params.encryptedPorts ?? [])]
      const lifetimeSeconds = Math.max(1, Math.round((params.timeoutMs ?? 300_000) / 1000))
      const container = await docker.createContainer({
        name: sandboxId,
        Image: image.tag,
        Entrypoint: ['sleep', String(lifetimeSeconds)],
        Cmd: [],
        ...(params.workdir ? { WorkingDir: params.workdir } : {}),
        Env: Object.entries(params.env ?? {}).map(([key, value]) => `${key}=${value}`),
        Labels: {
          ...params.tags,
          [STANDIN_LABEL]: marker,
          [APP_LABEL]: app.appId,
          [PORTS_LABEL]: ports.join(','),
          [NETWORK_LABEL]: network,
        },
        HostConfig: {
          Init: true,
          NetworkMode: network,
          ...(params.cpu ? { NanoCpus: Math.round(Math.min(params.cpu, hostCpus) * 1e9) } : {}),
          ...(params.memoryMiB ? { Memory: params.memoryMiB * 1024 * 1024 } : {}),
        },
      })
      await container.start()
      return handle(sandboxId)
    },
    async *listSandboxes(params) {
      const refused = tagRefusal(`${RPC}/SandboxList`, params.tags ?? {})
      if (refused) throw listRefusal(refused)
      const filters = [
        `${STANDIN_LABEL}=${marker}`,
        ...(params.appId ? [`${APP_LABEL}=${params.appId}`] : []),
        ...Object.entries(params.tags ?? {}).map(([k, v]) => `${k}=${v}`),
      ]
      const containers = await docker.listContainers({ all: false, filters: { label: filters } })
      for (const summary of containers) {
        const name = (summary.Names[0] ?? '').replace(/^\//, '')
        if (!ended.has(name)) yield handle(name)
      }
    },
    async sandboxFromId(sandboxId) {
      await docker
        .getContainer(sandboxId)
        .inspect()
        .catch(() => {
          throw new NotFoundError(`Sandbox with id: '${sandboxId}' not found`)
        })
      return handle(sandboxId)
    },
    close() {},
    failNextCreates(...codes) {
      createFaults.push(...codes)
    },
    async killSandbox(sandboxId) {
      await docker.getContainer(sandboxId).kill({ signal: 'SIGKILL' })
    },
    async runningSandboxIds() {
      const containers = await docker.listContainers({ all: false, filters: { label: [`${STANDIN_LABEL}=${marker}`] } })
      return containers.map((c) => (c.Names[0] ?? '').replace(/^\//, '')).filter((id) => !ended.has(id))
    },
  }
}
