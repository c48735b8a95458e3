import { spawnSync } from 'node:child_process'
import { describeBackendConformance } from '@cooperbench/testkit'
import { afterAll } from 'vitest'
import { ContainerCliBackend } from '../src/index.js'
import { CLI, engineAnswers, engineSkipReason, ensureBaseImage, imageOf, testImageOptions } from './fixture.js'

const built = new Set<string>()

afterAll(() => {
  for (const image of built) spawnSync(CLI, ['rmi', '--force', '--no-prune', image], { stdio: 'ignore' })
})

describeBackendConformance('container-cli (docker)', {
  // fixture.ts already fails the run when CI is set and no engine answers.
  skip: engineAnswers ? false : engineSkipReason,
  timeoutMs: 60_000,
  image: imageOf,
  createBackend: () => new ContainerCliBackend({ engine: 'docker', network: 'none', ...testImageOptions }),
  prepare: async (task, backend) => {
    await ensureBaseImage()
    built.add(imageOf(task))
    const [prepared] = await backend.prepareTasks!([task], { concurrency: 1 })
    if (prepared?.action !== 'built') throw new Error(`could not build the conformance image: ${prepared?.error ?? 'no report'}`)
  },
})
