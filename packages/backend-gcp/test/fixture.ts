import { spawnSync } from 'node:child_process'
import { imageName, type Task } from '@cooperbench/core'
import { afterAll } from 'vitest'
// The docker backend's test fixture builds the offline base image and fixture task images once per machine.
import { engineAnswers, engineSkipReason, ensureBaseImage, makeTaskFixture, testImageOptions } from '../../backend-docker/test/fixture.js'
import { DockerBackend } from '../../backend-docker/src/docker-backend.js'
import { fakeComputeProblem } from '../src/standin/index.js'

export { makeTaskFixture }

const standinProblem = engineAnswers ? fakeComputeProblem() : engineSkipReason
if (standinProblem && process.env.CI) throw new Error(`${standinProblem}, and CI is set: the gcp stand-in tests must run`)
/** Skip reason for the suites that need the Compute stand-in (Docker, sshd, root); never under CI. */
export const skipReason: string | false = standinProblem ?? false

export const imageOf = (task: Task): string => imageName(testImageOptions.imageTemplate, testImageOptions.imageNamespace, task.repo, task.taskId)

const built = new Set<string>()
afterAll(() => {
  for (const image of built) spawnSync('docker', ['rmi', '-f', image], { stdio: 'ignore' })
})

/** Builds the task's image on the local engine: what the stand-in's VMs "pull". */
export async function ensureTaskImage(task: Task): Promise<string> {
  await ensureBaseImage()
  const image = imageOf(task)
  built.add(image)
  const builder = new DockerBackend({ network: 'none', buildNetwork: 'none', ...testImageOptions })
  const [prepared] = await builder.prepareTasks([task], { concurrency: 1 })
  if (prepared?.action === 'failed') throw new Error(`could not build ${image}: ${prepared.error}`)
  return image
}
