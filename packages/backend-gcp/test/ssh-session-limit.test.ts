import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { accepts, fakeComputeProblem, sshdConfig } from '@cooperbench/standins/gcp'
import { freePort } from '@cooperbench/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateRunKeyPair, VmConnection } from '../src/ssh.js'

const problem = fakeComputeProblem()
if (problem && process.env.CI) throw new Error(`${problem}, and CI is set: the real sshd test must run`)

/**
 * OpenSSH's own sshd, as on a VM (its default `MaxSessions` of 10 a connection), and many short
 * commands at once: sshd frees a command's session only after it has read the client's close, so a
 * connection that keeps its channels just under the limit is still refused now and then ("no more
 * sessions"), and a refused command must be asked for again, never reported as a lost VM.
 */
describe.skipIf(problem)(`VmConnection against OpenSSH's sshd${problem ? ` (${problem})` : ''}`, () => {
  const key = generateRunKeyPair()
  let dir = ''
  let port = 0
  let sshd: ChildProcess | undefined
  let stderr = ''

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cb-sshd-'))
    port = await freePort()
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')], { stdio: 'ignore' })
    await writeFile(join(dir, 'authorized_keys'), `${key.publicKey}\n`, { mode: 0o600 })
    const config = sshdConfig({ port, address: '127.0.0.1', hostKey: join(dir, 'host_key'), authorizedKeys: join(dir, 'authorized_keys') })
    await writeFile(join(dir, 'sshd_config'), config)
    sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] })
    sshd.stderr?.on('data', (chunk: Buffer) => (stderr = `${stderr}${chunk.toString()}`.slice(-4000)))
    for (let at = Date.now(); !(await accepts('127.0.0.1', port)); await sleep(50)) {
      if (sshd.exitCode !== null || Date.now() - at > 30_000) throw new Error(`sshd did not listen on ${port}: ${stderr}`)
    }
  })
  afterAll(async () => {
    sshd?.kill('SIGKILL')
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('runs every one of 600 short commands, 16 at a time, on one VmConnection', async () => {
    const vm = new VmConnection({ host: '127.0.0.1', port, username: userInfo().username, privateKey: key.privateKey })
    try {
      await vm.connect(20_000)
      let next = 0
      const outcomes = new Map<string, number>()
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < 600) {
            next++
            const outcome = await vm.run('true').then(
              (r) => `exit ${r.code}`,
              (error: Error) => error.message,
            )
            outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
          }
        }),
      )
      expect(Object.fromEntries(outcomes), stderr).toEqual({ 'exit 0': 600 })
    } finally {
      vm.close()
    }
  })
})
