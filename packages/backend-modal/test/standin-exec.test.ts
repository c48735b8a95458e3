import { spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ModalSandboxHandle } from '@cooperbench/standins/modal'
import { BASE_IMAGE, ensureBaseImage } from '../../backend-docker/test/fixture.js'
import { skipReason, standin } from './fixture.js'

/**
 * The Docker-backed Modal stand-in runs a root's execs with `nsenter` instead of Docker execs (a
 * twentieth of the CPU). Each case here runs the same command both ways in one sandbox's
 * container, the stand-in's exec beside a real `docker exec`, and wants the same answer.
 */
const root = process.getuid?.() === 0
const reason = skipReason || (root ? false : 'the stand-in enters containers only as root')
if (reason && process.env.CI) throw new Error(`${reason}, and CI is set: the stand-in's exec must be checked against docker exec`)

interface Answer {
  code: number
  stdout: string
  stderr: string
}

let sandbox: ModalSandboxHandle

beforeAll(async () => {
  if (reason) return
  await ensureBaseImage()
  const port = standin()
  const app = await port.appFromName('standin-exec', { createIfMissing: true })
  sandbox = await port.createSandbox(app, await port.imageFromRegistry(BASE_IMAGE), {
    blockNetwork: true,
    cpu: 1,
    memoryMiB: 512,
    workdir: '/workspace/repo',
    env: { FROM_CREATE: 'yes' },
    timeoutMs: 300_000,
  })
}, 300_000)

afterAll(async () => {
  await sandbox?.terminate()
})

async function viaStandin(command: string[], params: { workdir?: string; env?: Record<string, string>; stdin?: string } = {}): Promise<Answer> {
  const { stdin, ...execParams } = params
  const process = await sandbox.exec(command, { ...execParams, mode: 'binary' })
  const writer = process.stdin.getWriter()
  if (stdin !== undefined) await writer.write(new TextEncoder().encode(stdin))
  await writer.close()
  const [stdout, stderr, code] = await Promise.all([process.stdout.readText(), process.stderr.readText(), process.wait()])
  return { code, stdout, stderr }
}

function viaDocker(command: string[], params: { workdir?: string; env?: Record<string, string>; stdin?: string } = {}): Answer {
  const flags = [
    '-i',
    ...(params.workdir ? ['-w', params.workdir] : []),
    ...Object.entries(params.env ?? {}).flatMap(([key, value]) => ['-e', `${key}=${value}`]),
  ]
  const r = spawnSync('docker', ['exec', ...flags, sandbox.sandboxId, ...command], { encoding: 'utf8', input: params.stdin ?? '' })
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}

describe.skipIf(reason)(`the Modal stand-in's exec beside docker exec${reason ? ` (${reason})` : ''}`, () => {
  it.each([
    ['the environment, user and host name', ['sh', '-c', 'env | sort; id; hostname'], {}],
    ["an exec's env over the sandbox's, and its own HOME", ['sh', '-c', 'env | sort'], { env: { FROM_CREATE: 'exec', HOME: '/tmp' } }],
    ["the sandbox's working directory", ['pwd'], {}],
    ['a working directory given per exec', ['pwd'], { workdir: '/tmp' }],
    ['the cgroups the command runs in', ['cat', '/proc/self/cgroup'], {}],
    ['no network but loopback', ['sh', '-c', "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '"], {}],
    ['stdin, and an exit code of its own', ['sh', '-c', 'cat; exit 3'], { stdin: 'some input\n' }],
    ['a command killed by a signal', ['sh', '-c', 'kill -9 $$'], {}],
  ] as const)('%s', async (_title, command, params) => {
    const docker = viaDocker([...command], params)
    const entered = await viaStandin([...command], params)
    expect(entered).toEqual(docker)
  })

  it('a working directory that is not there: exit 126 and the runtime’s words', async () => {
    const docker = viaDocker(['true'], { workdir: '/no/such/dir' })
    const entered = await viaStandin(['true'], { workdir: '/no/such/dir' })
    expect(entered.code).toBe(docker.code)
    expect(`${entered.stdout}${entered.stderr}`).toContain('chdir to cwd ("/no/such/dir") set in config.json failed: no such file or directory')
  })

  it('a process left in the background with the output open ends the exec all the same (within seconds, not the 600 of the sleep), as docker exec', async () => {
    const command = ['sh', '-c', 'sleep 600 & echo started']
    const entered = await viaStandin(command)
    expect(entered).toEqual(viaDocker(command))
  }, 60_000)
})
