import { execFile, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, rmdir } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { imageName } from '@cooperbench/backend-kit'
import { type SandboxSpec, SANDBOX_LABELS, type Task } from '@cooperbench/spec'
import { loadDataset } from '@cooperbench/dataset'
import { createFixtureTask, type FixtureTask } from '@cooperbench/testkit'
import Docker from 'dockerode'
import { DockerBackend, type DockerBackendSettings } from '../src/docker-backend.js'
import { cleanedImagesOf } from './cleaned-images.js'

const run = promisify(execFile)

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
export const BASE_IMAGE = 'cooperbench-demo-base:latest'

/** Whether a Docker engine answers here; the tests skip with this reason unless CI is set. */
export const engineSkipReason = 'no Docker engine answers (DOCKER_HOST or /var/run/docker.sock)'
export const engineAnswers = await new Docker()
  .ping()
  .then(() => true)
  .catch(() => false)
if (!engineAnswers && process.env.CI) {
  throw new Error(`${engineSkipReason}, and CI is set: the docker backend tests must run in CI`)
}

/** A unique label value per test process, so parallel test files never touch each other's containers. */
export const testRunName = `cb-docker-test-${process.pid}-${randomBytes(3).toString('hex')}`
/** Images built by this test process: `cooperbench-test/<slug>-<suffix>:task<id>`, removed in `removeTestImages`. */
export const testImageSuffix = randomBytes(4).toString('hex')
export const testImageOptions = {
  imageNamespace: 'cooperbench-test',
  imageTemplate: `{namespace}/{slug}-${testImageSuffix}:task{taskId}`,
}

/**
 * Builds the offline demo base image (Debian minbase + bash, git, python3, node) when it is
 * missing, once across parallel test processes (a lock directory).
 */
export async function ensureBaseImage(): Promise<void> {
  const present = () => spawnSync('docker', ['image', 'inspect', BASE_IMAGE], { stdio: 'ignore' }).status === 0
  if (present()) return
  const lock = join(repoRoot, 'node_modules', '.cooperbench-base-image.lock')
  for (;;) {
    try {
      await mkdir(lock)
      break
    } catch {
      if (present()) return
      await new Promise((r) => setTimeout(r, 1000))
    }
  }
  try {
    if (!present()) await run('bash', ['scripts/build-base-image.sh'], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 })
  } finally {
    await rmdir(lock).catch(() => {})
  }
}

/** A tiny task in the dataset's format (testkit), loaded as core loads any task. */
export interface DockerTaskFixture {
  fixture: FixtureTask
  task: Task
}

export async function makeTaskFixture(repo = 'fixture_task'): Promise<DockerTaskFixture> {
  const fixture = await createFixtureTask({
    repo,
    base: { 'README.md': 'base version\n', 'hello.py': 'print("hello")\n' },
    features: [
      {
        spec: 'Say hello loudly.\n',
        source: { 'hello.py': 'print("HELLO")\n' },
        tests: { 'tests/test_hello.py': 'print("1 passed in 0.01s")\n' },
      },
    ],
    testCommand: 'python3 tests/test_hello.py',
  })
  const dataset = await loadDataset(fixture.datasetDir)
  const task = dataset.tasks[0]
  if (!task) throw new Error('the fixture task did not load')
  return { fixture, task }
}

/** Settings every test backend starts from: no network anywhere (also for build steps), no registry. */
export const testBackendSettings: DockerBackendSettings = {
  network: 'none',
  buildNetwork: 'none',
  pull: 'never',
  cpus: 1,
  memory: '512m',
  ...testImageOptions,
}

/** Backends made by `newBackend`, closed by `closeBackends`. */
const backends: DockerBackend[] = []

export function newBackend(settings: DockerBackendSettings = {}): DockerBackend {
  const backend = new DockerBackend({ ...testBackendSettings, ...settings })
  backends.push(backend)
  return backend
}

export async function closeBackends(): Promise<void> {
  for (const backend of backends.splice(0)) await backend.close()
}

/** Label on everything a test process creates, for `removeTestLeftovers`. */
export const TEST_LABEL = 'cooperbench.test'

export function specFor(backend: DockerBackend, task: Task, role = 'agent1', labels: Record<string, string> = {}): SandboxSpec {
  return {
    task,
    image: backend.imageFor(task),
    role,
    labels: { [SANDBOX_LABELS.run]: testRunName, [SANDBOX_LABELS.role]: role, [TEST_LABEL]: testRunName, ...labels },
  }
}

/** `docker` CLI, for checks that must not trust the code under test. */
export async function dockerCli(...args: string[]): Promise<string> {
  return (await run('docker', args, { maxBuffer: 16 * 1024 * 1024 })).stdout
}

/** Ids of containers (running or not) carrying `label` (`key=value`). */
export async function containersWithLabel(label: string): Promise<string[]> {
  return (await dockerCli('ps', '-aq', '--filter', `label=${label}`)).split('\n').filter(Boolean)
}

/** Removes every container this test process labelled, and every image whose name has this process' suffix. */
export async function removeTestLeftovers(): Promise<void> {
  const ids = await containersWithLabel(`${TEST_LABEL}=${testRunName}`)
  if (ids.length > 0) await dockerCli('rm', '-f', ...ids)
  const images = (await dockerCli('images', '--format', '{{.Repository}}:{{.Tag}}')).split('\n').filter((name) => name.includes(testImageSuffix))
  if (images.length > 0) await dockerCli('rmi', '-f', '--no-prune', ...images)
}

/** The name a task's image gets in tests (this process' suffix). */
export const testImageOf = (task: Task): string => imageName(testImageOptions.imageTemplate, testImageOptions.imageNamespace, task.repo, task.taskId)

/**
 * Builds a task's image on the local engine, as other backends' stand-ins find it (their
 * "registry" is this engine); remove what was built with {@link removeBuiltTaskImages}.
 */
const builtTaskImages = new Set<string>()
export async function ensureTaskImage(task: Task): Promise<string> {
  await ensureBaseImage()
  const image = testImageOf(task)
  builtTaskImages.add(image)
  const builder = new DockerBackend({ network: 'none', buildNetwork: 'none', ...testImageOptions })
  const [prepared] = await builder.prepareTasks([task], { concurrency: 1 })
  if (prepared?.action === 'failed') throw new Error(`could not build ${image}: ${prepared.error}`)
  return image
}

/**
 * Test images go with `--no-prune`: their untagged parents may be the build cache of another test
 * file building the same Dockerfile under another name at that moment, and removing them fails
 * that build ("failed to set parent …: unknown parent image ID"). The tags carry the test's suffix,
 * the parents are shared.
 */
export function removeBuiltTaskImages(): void {
  // The tags carry this process's suffix: every image cleaned from them is this process's too.
  for (const image of [...cleanedImagesOf(builtTaskImages), ...builtTaskImages]) spawnSync('docker', ['rmi', '-f', '--no-prune', image], { stdio: 'ignore' })
  builtTaskImages.clear()
}
