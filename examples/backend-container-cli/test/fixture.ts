import { execFile, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, rmdir } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { imageName } from '@cooperbench/backend-kit'
import { SANDBOX_LABELS, type SandboxSpec, type Task } from '@cooperbench/spec'
import { loadDataset } from '@cooperbench/dataset'
import { createFixtureTask, type FixtureTask } from '@cooperbench/testkit'
import { ContainerCliBackend, type ContainerCliBackendSettings } from '../src/index.js'

const run = promisify(execFile)

/** The CLI the tests drive, and check results with (never through the code under test). */
export const CLI = 'docker'
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
export const BASE_IMAGE = 'cooperbench-demo-base:latest'

/**
 * Whether a Docker engine answers here. On a user's machine without one the engine tests skip
 * with this reason; under CI they fail instead.
 */
export const engineSkipReason = 'no Docker engine answers to `docker version` (install Docker, start dockerd)'
export const engineAnswers = spawnSync(CLI, ['version', '--format', '{{.Server.Version}}'], { stdio: 'ignore', timeout: 20_000 }).status === 0
if (!engineAnswers && process.env.CI) {
  throw new Error(`${engineSkipReason}, and CI is set: the container-cli backend tests must run in CI`)
}
if (!engineAnswers) console.warn(`container-cli: skipping the tests that need an engine: ${engineSkipReason}`)

/** A label value unique to this test process, so parallel test files never touch each other's containers. */
export const testRunName = `cb-container-cli-test-${process.pid}-${randomBytes(3).toString('hex')}`
/** Images built by this test process carry this suffix; `cleanUp` removes them. */
export const testImageSuffix = randomBytes(4).toString('hex')
export const testImageOptions = {
  imageNamespace: 'cooperbench-cli-test',
  imageTemplate: `{namespace}/{slug}-${testImageSuffix}:task{taskId}`,
}
export const imageOf = (task: Task) => imageName(testImageOptions.imageTemplate, testImageOptions.imageNamespace, task.repo, task.taskId)

/** The docker CLI, for checks that must not trust the code under test. */
export async function cli(...args: string[]): Promise<string> {
  return (await run(CLI, args, { maxBuffer: 16 * 1024 * 1024 })).stdout
}

/** Names of containers (running or not) carrying `label` (`key=value`). */
export async function containersWithLabel(label: string): Promise<string[]> {
  return (await cli('ps', '--all', '--filter', `label=${label}`, '--format', '{{.Names}}')).split('\n').filter(Boolean)
}

const hasImage = (image: string) => spawnSync(CLI, ['image', 'inspect', image], { stdio: 'ignore' }).status === 0

/**
 * Makes the offline demo base image when it is missing. Test files run in parallel, and
 * backend-docker's tests want the image too: whoever creates the lock directory first builds,
 * the others wait for the image to appear.
 */
export async function ensureBaseImage(): Promise<void> {
  const lock = join(repoRoot, 'node_modules', '.cooperbench-base-image.lock')
  while (!hasImage(BASE_IMAGE)) {
    const mine = await mkdir(lock).then(
      () => true,
      () => false,
    )
    if (!mine) {
      await new Promise((wake) => setTimeout(wake, 1000))
      continue
    }
    try {
      if (!hasImage(BASE_IMAGE)) await run('bash', ['scripts/build-base-image.sh'], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 })
    } finally {
      await rmdir(lock).catch(() => {})
    }
    return
  }
}

/** A small task made by testkit's `createFixtureTask` and read back by core's `loadDataset`. */
export interface TaskFixture {
  fixture: FixtureTask
  task: Task
}

export async function makeTaskFixture(repo = 'cli_fixture_task'): Promise<TaskFixture> {
  const fixture = await createFixtureTask({
    repo,
    base: { 'README.md': 'base\n' },
    features: [{ spec: 'Nothing.\n', source: { 'README.md': 'changed\n' }, tests: { 'tests/t.sh': 'echo "1 passed in 0.01s"\n' } }],
    testCommand: 'bash tests/t.sh',
  })
  const task = (await loadDataset(fixture.datasetDir)).tasks[0]
  if (!task) throw new Error('the fixture task did not load')
  return { fixture, task }
}

/** Backends made by `newBackend`, closed by `cleanUp`. */
const backends: ContainerCliBackend[] = []

/** A docker backend with no network and this process's image names. */
export function newBackend(settings: ContainerCliBackendSettings = {}): ContainerCliBackend {
  const backend = new ContainerCliBackend({ engine: 'docker', network: 'none', ...testImageOptions, ...settings })
  backends.push(backend)
  return backend
}

async function closeBackends(): Promise<void> {
  for (const backend of backends.splice(0)) await backend.close()
}

export function specFor(task: Task, role = 'agent1', runName = testRunName): SandboxSpec {
  return { task, image: imageOf(task), role, labels: { [SANDBOX_LABELS.run]: runName, [SANDBOX_LABELS.role]: role } }
}

/**
 * What an engine test file does last: closes the backends it made, removes the task fixtures,
 * and deletes every container and image whose name carries this process's run name or suffix.
 */
export async function cleanUp(fixtures: Array<TaskFixture | undefined>): Promise<void> {
  await closeBackends()
  const containers = (await cli('ps', '--all', '--format', '{{.Names}}')).split('\n').filter((name) => name.includes(testRunName))
  if (containers.length > 0) await cli('rm', '--force', ...containers)
  const images = (await cli('images', '--format', '{{.Repository}}:{{.Tag}}')).split('\n').filter((name) => name.includes(testImageSuffix))
  if (images.length > 0) await cli('rmi', '--force', '--no-prune', ...images)
  for (const made of fixtures) await made?.fixture.cleanup()
}
