import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SANDBOX_LABELS, type Task } from '@cooperbench/spec'
import { cooperbenchRejection } from '@cooperbench/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ContainerCliBackend } from '../src/index.js'
import { engineAnswers } from './fixture.js'

let dir: string
/** A stand-in CLI: a shell script with the given body. */
async function fakeCli(name: string, body: string): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, `#!/bin/sh\n${body}\n`)
  await chmod(path, 0o755)
  return path
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cooperbench-container-cli-preflight-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('preflight', () => {
  it('names a CLI that is not installed, and how to install or point at one', async () => {
    const error = await cooperbenchRejection(new ContainerCliBackend({ binary: '/nonexistent/bin/docker' }).preflight())
    expect(error.code).toBe('BACKEND_UNAVAILABLE')
    expect(error.message).toBe('the container CLI "/nonexistent/bin/docker" was not found')
    expect(error.hint).toContain('Install the Docker CLI')
    expect(error.hint).toContain('backends.container-cli.binary')
  })

  it('speaks of Podman when the engine is podman', async () => {
    const error = await cooperbenchRejection(new ContainerCliBackend({ engine: 'podman', binary: '/nonexistent/bin/podman' }).preflight())
    expect(error.code).toBe('BACKEND_UNAVAILABLE')
    expect(error.hint).toContain('Install Podman')
  })

  it('reports a CLI whose engine does not answer with what the CLI said and how to start the engine', async () => {
    const binary = await fakeCli(
      'docker-no-daemon',
      'echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2\nexit 1',
    )
    const error = await cooperbenchRejection(new ContainerCliBackend({ binary }).preflight())
    expect(error.code).toBe('BACKEND_UNAVAILABLE')
    expect(error.message).toBe(
      `${binary} is installed but its engine does not answer: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?`,
    )
    expect(error.details).toEqual([`tried: ${binary} version --format '{{json .}}'`])
    expect(error.hint).toContain('systemctl start docker')

    const podman = await fakeCli('podman-no-machine', 'echo "Error: unable to connect to Podman socket" >&2\nexit 125')
    const podmanError = await cooperbenchRejection(new ContainerCliBackend({ engine: 'podman', binary: podman }).preflight())
    expect(podmanError.message).toContain('does not answer: unable to connect to Podman socket')
    expect(podmanError.hint).toContain('podman machine start')
  })

  it('passes when `version` succeeds', async () => {
    const binary = await fakeCli('docker-ok', '[ "$1" = version ] && echo \'{"Client":{},"Server":{}}\'')
    await new ContainerCliBackend({ binary }).preflight()
  })

  it.skipIf(!engineAnswers)('passes against the docker engine here', async () => {
    await new ContainerCliBackend().preflight()
  })

  it('makes createSandbox fail with the same error when the CLI is missing', async () => {
    const task = {
      repo: 'r_task',
      taskId: 1,
      dir: join(dir, 'no-task'),
      features: [],
      source: { url: null, bundlePath: null, baseCommit: null },
      manifest: null,
    } as Task
    const backend = new ContainerCliBackend({ binary: '/nonexistent/bin/docker' })
    const error = await cooperbenchRejection(backend.createSandbox({ task, image: 'x:1', role: 'solo', labels: { [SANDBOX_LABELS.run]: 'r' } }))
    expect(error.code).toBe('BACKEND_UNAVAILABLE')
    expect(error.message).toContain('was not found')
    // supportsTask answers without failing: the missing CLI is preflight's to report.
    expect(await backend.supportsTask(task)).toMatchObject({ ok: false, reason: expect.stringContaining('has no Dockerfile') })
  })
})
