import { spawnSync } from 'node:child_process'
import { describeBackendConformance } from '@cooperbench/testkit'
import { afterAll } from 'vitest'
import { ContainerCliBackend } from '../src/index.js'
import { BASE_IMAGE, imageOf, testImageOptions } from './fixture.js'

/**
 * Podman is optional (CI installs only Docker), so this suite runs where Podman can start a
 * container of the demo base image and skips elsewhere, naming what is missing; it never fails
 * for a missing Podman, under CI or not.
 */
function podmanSkipReason(): string | false {
  const version = spawnSync('podman', ['version', '--format', '{{.Client.Version}}'], { stdio: 'ignore', timeout: 20_000 })
  if (version.error || version.status !== 0) return 'podman is not installed'
  if (spawnSync('podman', ['image', 'exists', BASE_IMAGE], { stdio: 'ignore', timeout: 20_000 }).status !== 0) {
    return `podman has no ${BASE_IMAGE} (docker save ${BASE_IMAGE} | podman load)`
  }
  const probe = spawnSync('podman', ['run', '--rm', '--network', 'none', BASE_IMAGE, 'true'], { encoding: 'utf8', timeout: 60_000 })
  if (probe.status !== 0) {
    const why = (probe.stderr ?? '').split('\n').find((line) => line.trim() !== '') ?? 'no message'
    return `podman cannot start a container here (${why.trim()}; see the README's podman notes)`
  }
  return false
}

const skip = podmanSkipReason()
if (skip) console.warn(`container-cli: skipping the podman conformance suite: ${skip}`)
const built = new Set<string>()

afterAll(() => {
  for (const image of built) spawnSync('podman', ['rmi', '--force', image], { stdio: 'ignore' })
})

describeBackendConformance('container-cli (podman)', {
  skip,
  timeoutMs: 60_000,
  image: imageOf,
  createBackend: () => new ContainerCliBackend({ engine: 'podman', network: 'none', ...testImageOptions }),
  prepare: async (task, backend) => {
    built.add(imageOf(task))
    const [prepared] = await backend.prepareTasks!([task], { concurrency: 1 })
    if (prepared?.action !== 'built') throw new Error(`could not build the conformance image with podman: ${prepared?.error ?? 'no report'}`)
  },
})
