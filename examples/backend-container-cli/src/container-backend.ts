import {
  type BackendCapabilities,
  type BackendFactoryContext,
  CooperbenchError,
  type Logger,
  SANDBOX_LABELS,
  type SandboxSpec,
  type Task,
} from '@cooperbench/spec'
import { silentLogger } from '@cooperbench/spec-utils'
import { ContainerEngineBackend, type ContainerReapFilter, imageName, type ListedContainer, type StartupProbeResult } from '@cooperbench/backend-kit'
import { ContainerCli, cliMessage, isNoSuchObject } from './cli-runner.js'
import { ContainerSandbox } from './container-sandbox.js'
import { LOGIN_PATH_HOOK_FILE, STARTUP_SCRIPT } from './exec-wrapper.js'
import { TaskImages } from './images.js'
import { BACKEND_NAME, CONTAINER_CLI_LABELS, owner } from './labels.js'
import { type ContainerCliOptions, type ResolvedContainerCliOptions, resolveContainerCliOptions } from './options.js'
import { runArguments } from './run-arguments.js'

/** Settings of a {@link ContainerCliBackend}: the config options plus what only code can set. */
export interface ContainerCliBackendSettings extends ContainerCliOptions {
  logger?: Logger
  /** Default cap on each of stdout and stderr of one command; default 10 MiB. */
  maxOutputBytes?: number
}

/** Which sandboxes `reap` removes. */
export type ContainerCliReapFilter = ContainerReapFilter

/** Bound on `preflight`'s `<cli> version`, and on `<cli> run`/`rm` (not cut off on abort). */
const VERSION_TIMEOUT_MS = 15_000
const RUN_TIMEOUT_MS = 2 * 60_000

/**
 * Backend `container-cli`: each sandbox is a container of the task's image, started with
 * `docker run` or `podman run` and driven with `exec`, labelled with run, pair, role and owner so
 * that leftovers can be found. For people who use Podman or only have a container CLI. The
 * lifecycle is the backend kit's {@link ContainerEngineBackend}; this class is the CLI calls.
 */
export class ContainerCliBackend extends ContainerEngineBackend<ContainerSandbox> {
  readonly capabilities: BackendCapabilities
  readonly options: ResolvedContainerCliOptions
  readonly cli: ContainerCli
  private readonly images: TaskImages

  constructor(settings: ContainerCliBackendSettings = {}) {
    const { logger = silentLogger, maxOutputBytes = 10 * 1024 * 1024, ...rest } = settings
    const options = resolveContainerCliOptions(rest)
    super(BACKEND_NAME, options.startConcurrency, owner)
    this.options = options
    this.cli = new ContainerCli(options.binary, options.engine)
    this.capabilities = { isolation: 'container', network: options.network !== 'none', snapshots: false }
    this.images = new TaskImages(this.cli, logger, this.sandboxes.signal)
    this.openSandbox = (id, _spec, onTerminated) => new ContainerSandbox({ id, cli: this.cli, maxOutputBytes, logger, onTerminated })
  }

  imageFor = (task: Task): string => imageName(this.options.imageTemplate, this.options.imageNamespace, task.repo, task.taskId)
  protected openSandbox: (id: string, spec: SandboxSpec, onTerminated: () => void) => ContainerSandbox
  protected inspectImage = (image: string) => this.images.inspect(image)
  protected ensureImage = (task: Task, image: string, options: { force: boolean; signal?: AbortSignal }) => this.images.ensure(task, image, options)
  protected missingImage = (task: Task, image: string) => ({
    reason: `task ${task.repo}/${task.taskId} has no Dockerfile and its image ${image} does not exist`,
    hint: `Pull or build the image first (${this.cli.commandLine(['pull', image])}), or set image.template/image.namespace to images you have.`,
  })

  /** Checks that the CLI exists and that its engine answers (`<cli> version`). */
  async preflight(): Promise<void> {
    const args = ['version', '--format', '{{json .}}']
    const outcome = await this.cli.run(args, { timeoutMs: VERSION_TIMEOUT_MS })
    if (outcome.exitCode === 0) return
    const why = outcome.timedOut ? `no answer within ${VERSION_TIMEOUT_MS / 1000} s` : cliMessage(outcome.stderr)
    throw new CooperbenchError('BACKEND_UNAVAILABLE', `${this.cli.binary} is installed but its engine does not answer: ${why}`, {
      details: [`tried: ${this.cli.commandLine(args)}`],
      hint: this.cli.engineHint(),
    })
  }

  protected async startContainer(name: string, spec: SandboxSpec): Promise<void> {
    const args = runArguments({ name, spec, options: this.options })
    const outcome = await this.cli.run(args, { timeoutMs: RUN_TIMEOUT_MS })
    if (outcome.exitCode === 0) return
    const message = outcome.timedOut ? `no answer within ${RUN_TIMEOUT_MS / 1000} s` : cliMessage(outcome.stderr)
    let hint = `Try it by hand: ${this.cli.commandLine(['run', '--rm', '-it', '--entrypoint', 'bash', spec.image])}`
    if (/network/i.test(message)) hint = `Check backends.container-cli.network ("${this.options.network}").`
    else if (/cpus|memory/i.test(message)) hint = 'Check backends.container-cli.cpus and memory against what the engine has.'
    else if (/catatonit|init binary|docker-init/i.test(message)) hint = 'The engine has no init binary for --init: install catatonit (podman) or tini.'
    else if (/cannot connect|daemon|socket|permission denied/i.test(message)) hint = this.cli.engineHint()
    throw new CooperbenchError('SANDBOX_FAILED', `cannot start a container of ${spec.image} for ${spec.task.repo}/${spec.task.taskId}: ${message}`, {
      details: [`tried: ${this.cli.commandLine(args)}`],
      hint,
    })
  }

  /** Prepares a new container as root (`/patches`, the PATH hook) and prints the repository's HEAD. */
  protected async startupProbe(sandbox: ContainerSandbox, signal: AbortSignal): Promise<StartupProbeResult> {
    const argv = ['sh', '-c', STARTUP_SCRIPT, 'cooperbench-startup', LOGIN_PATH_HOOK_FILE]
    const probe = await sandbox.run({ argv, login: false, cwd: '/', user: '0', maxOutputBytes: 64 * 1024, timeoutMs: 60_000, signal })
    return { exitCode: probe.exitCode, output: `${probe.stdout.text()}${probe.stderr.text()}`, head: probe.stdout.text() }
  }

  protected startupHints = (spec: SandboxSpec) => ({
    notTaskImage: 'A task image holds the repository at /workspace/repo; make image.template name the task images.',
    failed: `Above is what the container printed. Look inside with ${this.cli.commandLine(['run', '--rm', '-it', '--entrypoint', 'bash', spec.image])}`,
    stale: `The image is out of date or made for another task. Rebuild it with \`cooperbench images build --force -r ${spec.task.repo} -t ${spec.task.taskId}\`, or delete it: ${this.cli.commandLine(['rmi', spec.image])}`,
  })

  /** Counts every id as removed: one `rm` does not say which of them were already gone. */
  protected async removeContainers(ids: string[]): Promise<number> {
    const outcome = await this.cli.run(['rm', '--force', '--volumes', ...ids], { timeoutMs: RUN_TIMEOUT_MS })
    if (outcome.exitCode === 0 || isNoSuchObject(outcome.stderr)) return ids.length
    throw new CooperbenchError('SANDBOX_FAILED', `cannot remove leftover containers: ${cliMessage(outcome.stderr)}`, {
      hint: `Remove them by hand: ${this.cli.commandLine(['rm', '--force', ...ids])}`,
    })
  }

  protected async listContainers(runName: string | undefined): Promise<ListedContainer[]> {
    const labels = [`${CONTAINER_CLI_LABELS.backend}=${BACKEND_NAME}`, ...(runName === undefined ? [] : [`${SANDBOX_LABELS.run}=${runName}`])]
    return this.cli.listContainers(labels)
  }
}

/** The factory registered for backend `container-cli`. */
export function createContainerCliBackend(context: BackendFactoryContext): ContainerCliBackend {
  return new ContainerCliBackend({ ...(context.options as ContainerCliOptions), logger: context.logger })
}
