import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { CooperbenchError, type Logger, type Task } from '@cooperbench/spec'
import { type ContainerCli, cliMessage, isNoSuchObject } from './cli-runner.js'
import { BACKEND_NAME, CONTAINER_CLI_LABELS } from './labels.js'

/** What {@link TaskImages.ensure} did to make an image exist. */
export type ImageAction = 'present' | 'built'

export interface EnsuredImage {
  image: string
  action: ImageAction
  durationMs: number
}

/** What the engine knows about an image that exists. */
export interface ImageDetails {
  sizeBytes: number | null
  createdAt: string | null
}

/** Lines of build output kept for the error of a failed build. */
const BUILD_LOG_TAIL_LINES = 20
const INSPECT_TIMEOUT_MS = 60_000
/** The base image of the demo dataset's Dockerfiles, made offline by `pnpm images:base`. */
const DEMO_BASE_IMAGE = 'cooperbench-demo-base'
/** How docker and podman say that a Dockerfile's base image is not there. */
const MISSING_BASE = /pull access denied|not found|no such image|does not exist|manifest unknown|image not known/i

/**
 * Task images through the CLI: an image that exists is used as is; a missing one is built from
 * the task's Dockerfile with the task folder as the build context (as backend `docker` does, so
 * both backends make the same image under the same name). This backend never pulls. Concurrent
 * requests for one image share one build, which is cancelled only when all of them gave up.
 */
export class TaskImages {
  private readonly inFlight = new Map<string, SharedWork<EnsuredImage>>()

  constructor(
    private readonly cli: ContainerCli,
    private readonly logger: Logger,
    /** Aborted when the backend closes: stops every build. */
    private readonly lifetime: AbortSignal,
  ) {}

  /** Size and creation time of `image`, or null when the engine does not have it. */
  async inspect(image: string): Promise<ImageDetails | null> {
    const outcome = await this.cli.run(['image', 'inspect', image], { timeoutMs: INSPECT_TIMEOUT_MS })
    if (outcome.exitCode !== 0) {
      if (isNoSuchObject(outcome.stderr)) return null
      throw new CooperbenchError(
        'BACKEND_UNAVAILABLE',
        `cannot inspect image ${image}: ${outcome.timedOut ? `no answer within ${INSPECT_TIMEOUT_MS / 1000} s` : cliMessage(outcome.stderr)}`,
        { hint: `Check that the engine answers: ${this.cli.commandLine(['version'])}` },
      )
    }
    const [info] = JSON.parse(outcome.stdout.toString('utf8') || '[]') as Array<{ Size?: unknown; Created?: unknown }>
    if (!info) return null
    return {
      sizeBytes: typeof info.Size === 'number' ? info.Size : null,
      createdAt: typeof info.Created === 'string' ? info.Created : null,
    }
  }

  /**
   * Makes `image` exist for `task` (built when missing, or always with `force`). Throws a
   * CooperbenchError (SANDBOX_FAILED) naming the image, the build's last output lines and the fix.
   */
  ensure(task: Task, image: string, options: { force?: boolean; signal?: AbortSignal } = {}): Promise<EnsuredImage> {
    let work = this.inFlight.get(image)
    if (!work) {
      const started = new SharedWork((signal) => this.provide(task, image, options.force === true, signal), this.lifetime)
      this.inFlight.set(image, started)
      void started.done
        .finally(() => {
          if (this.inFlight.get(image) === started) this.inFlight.delete(image)
        })
        .catch(() => {})
      work = started
    }
    return work.wait(options.signal)
  }

  private async provide(task: Task, image: string, force: boolean, signal: AbortSignal): Promise<EnsuredImage> {
    const started = performance.now()
    const took = () => Math.round(performance.now() - started)
    const present = (await this.inspect(image)) !== null
    if (present && !force) return { image, action: 'present', durationMs: took() }
    const dockerfile = join(task.dir, 'Dockerfile')
    if (!existsSync(dockerfile)) {
      if (present) return { image, action: 'present', durationMs: took() }
      throw new CooperbenchError(
        'SANDBOX_FAILED',
        `image ${image} of ${task.repo}/${task.taskId} does not exist and the task has no Dockerfile (${dockerfile})`,
        {
          hint: `This backend does not pull: ${this.cli.commandLine(['pull', image])} yourself, or set image.template/image.namespace to images you have.`,
        },
      )
    }
    signal.throwIfAborted()
    await this.build(task, image, signal)
    this.logger.info(`image ${image}: built from ${task.repo}/${task.taskId}/Dockerfile in ${(took() / 1000).toFixed(1)} s`)
    return { image, action: 'built', durationMs: took() }
  }

  /** `<cli> build` with the task folder as context; throws with the build's last lines on failure. */
  private async build(task: Task, image: string, signal: AbortSignal): Promise<void> {
    const name = `${task.repo}/${task.taskId}`
    const args = [
      'build',
      '--tag',
      image,
      '--label',
      `${CONTAINER_CLI_LABELS.builtBy}=${BACKEND_NAME}`,
      '--label',
      `${CONTAINER_CLI_LABELS.task}=${name}`,
      // Containers of failed steps would otherwise stay behind.
      '--force-rm',
      '--file',
      join(task.dir, 'Dockerfile'),
      task.dir,
    ]
    this.logger.debug(`container-cli: ${this.cli.commandLine(args)}`)
    const outcome = await this.cli.run(args, { signal })
    if (outcome.exitCode === 0 && (await this.inspect(image)) !== null) return
    const log = `${outcome.stdout.toString('utf8')}\n${outcome.stderr}`
      .split('\n')
      .map((line) => line.trimEnd())
      .filter((line) => line.trim() !== '')
      .slice(-BUILD_LOG_TAIL_LINES)
    const why = outcome.exitCode === 0 ? 'the build reported success but the image does not exist' : cliMessage(log.at(-1) ?? outcome.stderr)
    throw new CooperbenchError('SANDBOX_FAILED', `building image ${image} from ${name}/Dockerfile failed: ${why}`, {
      details: log,
      hint: log.some((line) => line.includes(DEMO_BASE_IMAGE) && MISSING_BASE.test(line))
        ? 'The demo base image is missing: build it with `pnpm images:base` (scripts/build-base-image.sh), then retry.'
        : `Reproduce it with \`${this.cli.commandLine(['build', '--tag', image, task.dir])}\` to see the whole log.`,
    })
  }
}

/**
 * Work that several callers wait for, such as one image build. A caller gives up through its
 * signal; when the last caller that could give up has (none waits without a signal), the work
 * is cancelled, and that caller's rejection waits for the work to be over, so that no CLI client
 * outlives the call.
 */
class SharedWork<T> {
  readonly done: Promise<T>
  private readonly cancel = new AbortController()
  private waiting = 0
  /** A caller without a signal waits to the end, so the work is never cancelled for the others. */
  private unstoppable = false

  constructor(work: (signal: AbortSignal) => Promise<T>, lifetime: AbortSignal) {
    this.done = work(AbortSignal.any([this.cancel.signal, lifetime]))
    // Everyone may have given up by the time it fails; that is not an unhandled rejection.
    this.done.catch(() => {})
  }

  wait(signal?: AbortSignal): Promise<T> {
    if (!signal) {
      this.unstoppable = true
      return this.done
    }
    if (signal.aborted) return Promise.reject(signal.reason)
    this.waiting++
    return new Promise<T>((resolve, reject) => {
      let gaveUp = false
      const giveUp = () => {
        gaveUp = true
        this.waiting--
        if (this.waiting > 0 || this.unstoppable) return reject(signal.reason)
        this.cancel.abort(signal.reason)
      }
      signal.addEventListener('abort', giveUp, { once: true })
      this.done
        .then(
          (value) => (gaveUp ? reject(signal.reason) : resolve(value)),
          (error: unknown) => reject(gaveUp ? signal.reason : error),
        )
        .finally(() => signal.removeEventListener('abort', giveUp))
    })
  }
}
