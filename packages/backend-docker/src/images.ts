import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { CooperbenchError, type ImageLayer, type Logger, type Task } from '@cooperbench/spec'
import type Docker from 'dockerode'
import { packDirectory, packFile, packLayerContext } from './archive.js'
import { runSmokeTest, SMOKE_MUSL_MARK } from './smoke-test.js'
import { dockerMessage, isNotFound } from './docker-errors.js'
import { followProgress } from './json-progress.js'
import { DOCKER_LABELS } from './labels.js'
import type { DockerBackendOptions } from './options.js'

/** What {@link TaskImages.ensure} did to make an image available. */
export type ImageAction = 'present' | 'pulled' | 'built'

export interface EnsuredImage {
  image: string
  action: ImageAction
  durationMs: number
}

/** The image options of the backend. */
export type TaskImageSettings = Pick<DockerBackendOptions, 'pull' | 'pullTimeoutSeconds' | 'build' | 'buildArgs' | 'buildNetwork'>

export interface EnsureOptions {
  /** Build (or pull) even when the image exists. */
  force?: boolean | undefined
  signal?: AbortSignal | undefined
}

/** Lines of build output kept for the error message of a failed build. */
const BUILD_LOG_TAIL_LINES = 20

/** Image of the demo dataset's Dockerfiles, made offline by `pnpm images:base`. */
const DEMO_BASE_IMAGE = 'cooperbench-demo-base'

interface InFlight {
  promise: Promise<EnsuredImage>
  controller: AbortController
  waiters: number
}

/**
 * Makes task images available: present → used; missing → pulled when the policy allows and a
 * registry answers, else built from the task's folder. Concurrent requests for one image share
 * one pull or build, cancelled only when every requester has given up.
 */
export class TaskImages {
  private readonly inFlight = new Map<string, InFlight>()
  /** Images refreshed from a registry by this backend (pull: always refreshes each image once). */
  private readonly refreshed = new Set<string>()

  constructor(
    private readonly docker: Docker,
    private readonly settings: TaskImageSettings,
    private readonly logger: Logger,
    /** Aborted when the backend closes: stops every pull and build. */
    private readonly lifetime: AbortSignal,
  ) {}

  /** Null when the engine does not have the image. */
  async inspect(image: string): Promise<Docker.ImageInspectInfo | null> {
    try {
      return await this.docker.getImage(image).inspect()
    } catch (error) {
      if (isNotFound(error)) return null
      throw error
    }
  }

  /** Makes `image` exist for `task`; SANDBOX_FAILED naming what was tried, the build's last lines and the fix. */
  ensure(task: Task, image: string, options: EnsureOptions = {}): Promise<EnsuredImage> {
    options.signal?.throwIfAborted()
    let flight = this.inFlight.get(image)
    if (!flight) {
      const controller = new AbortController()
      const signal = AbortSignal.any([controller.signal, this.lifetime])
      const created: InFlight = {
        controller,
        waiters: 0,
        promise: this.provide(task, image, options.force === true, signal).finally(() => {
          if (this.inFlight.get(image) === created) this.inFlight.delete(image)
        }),
      }
      // Nobody may be waiting by the time it fails (all aborted); that is not an unhandled error.
      created.promise.catch(() => {})
      flight = created
      this.inFlight.set(image, flight)
    }
    return this.wait(flight, options.signal)
  }

  private wait(flight: InFlight, signal: AbortSignal | undefined): Promise<EnsuredImage> {
    flight.waiters++
    if (!signal) return flight.promise
    return new Promise<EnsuredImage>((resolve, reject) => {
      const onAbort = () => {
        if (--flight.waiters === 0) flight.controller.abort(signal.reason)
        reject(signal.reason)
      }
      signal.addEventListener('abort', onAbort, { once: true })
      flight.promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
    })
  }

  private async provide(task: Task, image: string, force: boolean, signal: AbortSignal): Promise<EnsuredImage> {
    const started = performance.now()
    const took = () => Math.round(performance.now() - started)
    const name = `${task.repo}/${task.taskId}`
    const dockerfile = join(task.dir, 'Dockerfile')
    const canBuild = this.settings.build && existsSync(dockerfile)
    const present = (await this.inspect(image)) !== null
    if (present && !force && (this.settings.pull !== 'always' || this.refreshed.has(image))) {
      this.logger.debug(`docker: image ${image}: present`)
      return { image, action: 'present', durationMs: took() }
    }
    let pullError: string | null = null
    // A forced refresh of a task with a Dockerfile rebuilds it (cheap, cached); else a registry first (the reference's images are there).
    if (this.settings.pull !== 'never' && !(force && canBuild)) {
      pullError = await this.pull(image, signal)
      this.refreshed.add(image)
      if (pullError === null) {
        this.logger.info(`image ${image}: pulled in ${seconds(took())}`)
        return { image, action: 'pulled', durationMs: took() }
      }
      signal.throwIfAborted()
      if (present) {
        this.logger.warn(`image ${image}: refresh failed (${pullError}); using the local image`)
        return { image, action: 'present', durationMs: took() }
      }
      this.logger.debug(`docker: image ${image}: pull failed: ${pullError}`)
    }
    if (!canBuild) {
      if (present) return { image, action: 'present', durationMs: took() }
      const tried = pullError === null ? 'pulling is disabled (pull: never)' : `the pull failed: ${pullError}`
      const why = this.settings.build ? `and ${name} has no Dockerfile (${dockerfile})` : 'and building is disabled (build: false)'
      throw new CooperbenchError('SANDBOX_FAILED', `image ${image} for ${name} is not available: ${tried}, ${why}`, {
        hint: `Pull or build ${image} yourself (docker pull / docker build -t ${image} <task folder>), or point image.template/image.namespace at images you have.`,
      })
    }
    await this.build(task, image, signal)
    this.logger.info(`image ${image}: built from ${name}/Dockerfile in ${seconds(took())}`)
    return { image, action: 'built', durationMs: took() }
  }

  /**
   * Pulls `image`: null, or why it failed. A pull that reports nothing for `pullTimeoutSeconds`
   * is given up (an unreachable registry can hang it for minutes); a progressing one is not.
   */
  private async pull(image: string, signal: AbortSignal): Promise<string | null> {
    const quiet = new AbortController()
    const timeoutMs = this.settings.pullTimeoutSeconds * 1000
    let timer: NodeJS.Timeout | undefined
    const arm = () => {
      clearTimeout(timer)
      timer = setTimeout(() => quiet.abort(), timeoutMs)
    }
    arm()
    try {
      const stream = (await this.docker.pull(image, { abortSignal: AbortSignal.any([signal, quiet.signal]) })) as Readable
      arm()
      const failure = await followProgress(stream, arm)
      if (failure !== null) return failure
      // Some registries end the stream without an error yet without the image; believe the engine.
      return (await this.inspect(image)) === null ? 'the engine reported no error but does not have the image' : null
    } catch (error) {
      signal.throwIfAborted()
      if (quiet.signal.aborted) return `no answer from the registry within ${this.settings.pullTimeoutSeconds} s`
      return dockerMessage(error)
    } finally {
      clearTimeout(timer)
    }
  }

  /** Builds `target` from `layer.dockerfile` on top of `base` (present → kept unless `force`). */
  async ensureLayer(base: string, target: string, layer: ImageLayer, options: EnsureOptions = {}): Promise<EnsuredImage> {
    const started = performance.now()
    const took = () => Math.round(performance.now() - started)
    if (!options.force && (await this.inspect(target)) !== null) return { image: target, action: 'present', durationMs: took() }
    const context = layer.files?.length
      ? packLayerContext(layer.dockerfile, layer.files)
      : packFile('Dockerfile', new Uint8Array(Buffer.from(layer.dockerfile, 'utf8')), 0o644)
    const buildArgs = { ...layer.buildArgs, ...this.settings.buildArgs, BASE_IMAGE: base }
    const { failure, log } = await this.buildImage(context, target, buildArgs, { [DOCKER_LABELS.builtImage]: 'true' }, options.signal)
    if (failure !== null) {
      throw new CooperbenchError('SANDBOX_FAILED', `building ${target} (the image ${layer.owner} needs) on ${base} failed: ${failure}`, {
        details: log,
        hint: `The layer's own base images must be present or pullable; set them with the backend option buildArgs, or see the agent's documentation.`,
      })
    }
    if (layer.smokeTest) await this.smokeTestLayer(base, target, layer, layer.smokeTest)
    return { image: target, action: 'built', durationMs: took() }
  }

  /** Runs the layer's smoke test in `target`; when the program cannot start, removes `target` and throws naming the cause. */
  private async smokeTestLayer(base: string, target: string, layer: ImageLayer, argv: string[]): Promise<void> {
    const outcome = await runSmokeTest(this.docker, target, argv)
    if (outcome.ran) return
    await this.docker
      .getImage(target)
      .remove({ force: true })
      .catch(() => {})
    const musl = outcome.stderr.includes(SMOKE_MUSL_MARK)
    const said = outcome.stderr
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.includes(SMOKE_MUSL_MARK))
      .slice(-5)
      .join(' | ')
    throw new CooperbenchError(
      'SANDBOX_FAILED',
      `${layer.owner}'s program cannot run in ${target}: \`${argv.join(' ')}\` ${outcome.why}${said ? ` (${said})` : ''}` +
        (musl ? `; ${base} is a musl image (Alpine) and the program needs glibc` : ''),
      {
        details: outcome.stderr.split('\n'),
        hint: musl
          ? `Tasks whose images are Alpine (musl) cannot run this agent's server binary: leave them out of the selection, or give the layer a musl build of the program (backend option buildArgs, see the agent's documentation).`
          : `Check that the layer's program is built for this image's platform and C library: docker run --rm --entrypoint ${argv[0]} ${target} ${argv.slice(1).join(' ')}`,
      },
    )
  }

  private async build(task: Task, image: string, signal: AbortSignal): Promise<void> {
    const name = `${task.repo}/${task.taskId}`
    const labels = { [DOCKER_LABELS.builtImage]: 'true', [DOCKER_LABELS.task]: name }
    const { failure, log } = await this.buildImage(packDirectory(task.dir), image, this.settings.buildArgs, labels, signal)
    if (failure === null) return
    throw new CooperbenchError('SANDBOX_FAILED', `building image ${image} from ${name}/Dockerfile failed: ${failure}`, {
      details: log,
      hint: buildHint(failure, log, image, task.dir),
    })
  }

  /** Builds `image` from a build context: the failure (null once the engine has the image) and the build's last output lines. */
  private async buildImage(
    context: Readable,
    image: string,
    buildargs: Record<string, string>,
    labels: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<{ failure: string | null; log: string[] }> {
    const log: string[] = []
    let failure: string | null
    try {
      const stream = (await this.docker.buildImage(context as unknown as NodeJS.ReadableStream, {
        t: image,
        buildargs,
        labels,
        // Intermediate containers of failed steps would otherwise stay behind.
        rm: true,
        forcerm: true,
        ...(this.settings.buildNetwork === undefined ? {} : { networkmode: this.settings.buildNetwork }),
        ...(signal ? { abortSignal: signal } : {}),
      })) as Readable
      failure = await followProgress(stream, (event) => {
        for (const line of (event.stream ?? event.status ?? '').split('\n')) if (line.trim() !== '') log.push(line.trimEnd())
        while (log.length > BUILD_LOG_TAIL_LINES) log.shift()
      })
    } catch (error) {
      signal?.throwIfAborted()
      failure = dockerMessage(error)
    }
    if (failure === null && (await this.inspect(image)) === null) failure = 'the engine reported no error but the image does not exist'
    return { failure, log }
  }
}

function buildHint(failure: string, log: string[], image: string, dir: string): string {
  const text = `${failure}\n${log.join('\n')}`
  if (text.includes(DEMO_BASE_IMAGE)) {
    return `The demo base image is missing: build it with \`pnpm images:base\` (scripts/build-base-image.sh), then retry.`
  }
  if (/pull access denied|manifest unknown|not found|no such host|dial tcp|TLS handshake|i\/o timeout/i.test(text)) {
    return `The Dockerfile's base image could not be fetched: pull it when a registry is reachable, or pass another one with the backend option buildArgs (e.g. {"BASE_IMAGE": "..."}).`
  }
  return `Reproduce with \`docker build -t ${image} ${dir}\` to see the whole log.`
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}
