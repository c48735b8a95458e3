import type { AddressInfo } from 'node:net'
import { CooperbenchError } from '@cooperbench/spec'
import ssh2 from 'ssh2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GcpSandbox } from '../src/gcp-sandbox.js'
import { ChannelRefusedError, generateRunKeyPair, VmConnection } from '../src/ssh.js'

const { Server } = ssh2

/**
 * An in-process SSH server (ssh2's own) that refuses the first `refusals.open` session channels
 * (a channel open failure, as OpenSSH's "no more sessions") and the first `refusals.exec` exec
 * requests (as a server that cannot start the command), then runs `exit N` commands.
 */
describe('VmConnection when the server refuses a channel', () => {
  const client = generateRunKeyPair()
  let server: InstanceType<typeof Server>
  let port = 0
  const refusals = { open: 0, exec: 0 }
  const seen = { opens: 0, execs: 0, ran: 0 }

  beforeAll(async () => {
    server = new Server({ hostKeys: [generateRunKeyPair().privateKey] }, (connection) => {
      connection
        .on('authentication', (ctx) => (ctx.method === 'publickey' ? ctx.accept() : ctx.reject(['publickey'])))
        .on('session', (acceptSession, rejectSession) => {
          seen.opens++
          if (refusals.open > 0) {
            refusals.open--
            rejectSession()
            return
          }
          acceptSession().on('exec', (accept, reject, info) => {
            seen.execs++
            if (refusals.exec > 0) {
              refusals.exec--
              reject()
              return
            }
            seen.ran++
            const stream = accept()
            stream.exit(Number(/^exit (\d+)$/.exec(info.command)?.[1] ?? 127))
            stream.end()
          })
        })
        .on('error', () => {})
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  const connection = (retryMs?: number[]) => new VmConnection({ host: '127.0.0.1', port, username: 'cooperbench', privateKey: client.privateKey }, retryMs)
  const reset = (open: number, exec: number) => {
    Object.assign(refusals, { open, exec })
    Object.assign(seen, { opens: 0, execs: 0, ran: 0 })
  }

  it('asks again for a refused channel and a refused exec, and the command runs once', async () => {
    const vm = connection([1, 1, 1, 1, 1])
    try {
      reset(2, 2)
      expect(await vm.run('exit 3')).toEqual({ code: 3, signal: null })
      expect(seen).toEqual({ opens: 5, execs: 3, ran: 1 })
      reset(1, 1)
      const stream = await vm.open('exit 0')
      await stream.ended
      expect(seen).toEqual({ opens: 3, execs: 2, ran: 1 })
    } finally {
      vm.close()
    }
  })

  it('gives up after its waits with ChannelRefusedError, having run nothing', async () => {
    const vm = connection([1, 1])
    try {
      reset(100, 0)
      const error = await vm.run('exit 0').catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ChannelRefusedError)
      expect((error as Error).message).toMatch(/refused a command 3 times: \(SSH\) Channel open failure/)
      expect(seen).toEqual({ opens: 3, execs: 0, ran: 0 })
      // The connection itself is fine: the next command runs.
      reset(0, 0)
      expect(await vm.run('exit 0')).toEqual({ code: 0, signal: null })
    } finally {
      vm.close()
    }
  })

  it('a GCP sandbox fails only the command on a refusal: the VM answered, so it is not reported lost', async () => {
    const vm = connection([1])
    let lost = 0
    const sandbox = new GcpSandbox({
      id: 'cb-refused',
      vm: 'cb-vm',
      connection: vm,
      path: '/usr/bin:/bin',
      maxOutputBytes: 1 << 20,
      onTerminated: () => {},
      onVmLost: () => lost++,
    })
    try {
      reset(100, 0)
      const error = await sandbox.exec(['true']).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(CooperbenchError)
      expect(error).toMatchObject({ code: 'SANDBOX_FAILED', message: expect.stringMatching(/VM cb-vm refused the command/) })
      expect(lost).toBe(0)
    } finally {
      reset(0, 0)
      vm.close()
    }
  })
})
