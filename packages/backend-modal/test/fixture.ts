import { randomBytes } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import { SANDBOX_LABELS, type SandboxSpec, type Task } from '@cooperbench/spec'
import Docker from 'dockerode'
// The docker backend's test fixture builds the offline base image and fixture task images once per machine.
import { engineAnswers, engineSkipReason, ensureTaskImage, makeTaskFixture, removeBuiltTaskImages, testImageOf } from '../../backend-docker/test/fixture.js'
import { ModalBackend, type ModalBackendSettings } from '../src/index.js'
import { dockerModalStandin, type DockerModalStandin, STANDIN_LABEL } from '@cooperbench/standins/modal'
import { afterEveryFile } from '../../../scripts/test/after-every.js'

export { engineAnswers, engineSkipReason, ensureTaskImage, makeTaskFixture }

/** Skip reason for the suites that need Docker (the stand-in's sandboxes are containers); never under CI. */
export const skipReason: string | false = engineAnswers ? false : engineSkipReason

export const docker = new Docker()
/** Unique per test process: the run name tagged on every sandbox, and the stand-in's marker. */
export const testRunName = `cb-modal-test-${process.pid}-${randomBytes(3).toString('hex')}`

export const imageOf = testImageOf

const markers = new Set<string>()

afterEveryFile(() => {
  for (const marker of markers) {
    const ids = spawnSync('docker', ['ps', '-aq', '--filter', `label=${STANDIN_LABEL}=${marker}`], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean)
    if (ids.length) spawnSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' })
  }
  markers.clear()
  removeBuiltTaskImages()
})

/** A stand-in of Modal with its sandboxes on the local engine, removed after the file. */
export function standin(): DockerModalStandin {
  const marker = `${testRunName}-${randomBytes(2).toString('hex')}`
  markers.add(marker)
  return dockerModalStandin({ docker, marker })
}

/** The real modal backend over a stand-in. Sandboxes reach no network unless a test needs it. */
export function modalOverStandin(settings: ModalBackendSettings = {}): { backend: ModalBackend; port: DockerModalStandin } {
  const port = standin()
  return { backend: new ModalBackend({ blockNetwork: true, cpu: 1, memoryMiB: 512, retryDelayMs: 50, ...settings, port }), port }
}

export function specFor(task: Task, role = 'agent1', pair = 'pair-1'): SandboxSpec {
  return {
    task,
    image: imageOf(task),
    role,
    labels: { [SANDBOX_LABELS.run]: testRunName, [SANDBOX_LABELS.pair]: pair, [SANDBOX_LABELS.role]: role },
  }
}
