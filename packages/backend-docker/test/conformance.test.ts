import { spawnSync } from 'node:child_process'
import { imageName } from '@cooperbench/backend-kit'
import type { Task } from '@cooperbench/spec'
import { describeBackendConformance } from '@cooperbench/testkit'
import { afterAll } from 'vitest'
import { DockerBackend } from '../src/index.js'
import { cleanedImagesOf } from './cleaned-images.js'
import { engineAnswers, engineSkipReason, ensureBaseImage, testImageOptions } from './fixture.js'

const imageOf = (task: Task) => imageName(testImageOptions.imageTemplate, testImageOptions.imageNamespace, task.repo, task.taskId)
const built = new Set<string>()

afterAll(() => {
  for (const image of [...cleanedImagesOf(built), ...built]) spawnSync('docker', ['rmi', '-f', '--no-prune', image], { stdio: 'ignore' })
})

describeBackendConformance('docker', {
  // fixture.ts already fails the run when CI is set and no engine answers.
  skip: engineAnswers ? false : engineSkipReason,
  timeoutMs: 60_000,
  image: imageOf,
  createBackend: () => new DockerBackend({ network: 'none', buildNetwork: 'none', ...testImageOptions }),
  prepare: async (task, backend) => {
    await ensureBaseImage()
    built.add(imageOf(task))
    const [prepared] = await backend.prepareTasks!([task], { concurrency: 1 })
    if (prepared?.action === 'failed') throw new Error(`could not build the conformance image: ${prepared.error}`)
  },
})
