import { afterAll } from 'vitest'
// The docker backend's test fixture builds the offline base image and fixture task images once per machine.
import { engineAnswers, engineSkipReason, ensureTaskImage, makeTaskFixture, removeBuiltTaskImages, testImageOf } from '../../backend-docker/test/fixture.js'
import { fakeComputeProblem } from '@cooperbench/standins/gcp'

export { ensureTaskImage, makeTaskFixture, testImageOf as imageOf }

const standinProblem = engineAnswers ? fakeComputeProblem() : engineSkipReason
if (standinProblem && process.env.CI) throw new Error(`${standinProblem}, and CI is set: the gcp stand-in tests must run`)
/** Skip reason for the suites that need the Compute stand-in (Docker, sshd, root); never under CI. */
export const skipReason: string | false = standinProblem ?? false

afterAll(removeBuiltTaskImages)
