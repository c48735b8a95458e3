import type { AddressInfo } from 'node:net'
import ssh2 from 'ssh2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateRunKeyPair, VmConnection } from '../src/ssh.js'

const { Server } = ssh2

/**
 * An in-process SSH server (ssh2's own) whose commands end at once: on `exec` it accepts, sends
 * the exit status (the number in the command, `exit N`) and closes the channel in the same tick,
 * so the client receives the reply to its request, the status and the close in one read, as it
 * does from a VM whose login runs no rc file.
 */
describe('VmConnection against commands that end at once', () => {
  const client = generateRunKeyPair()
  let server: InstanceType<typeof Server>
  let port = 0

  beforeAll(async () => {
    const hostKey = generateRunKeyPair().privateKey
    server = new Server({ hostKeys: [hostKey] }, (connection) => {
      connection
        .on('authentication', (ctx) => (ctx.method === 'publickey' ? ctx.accept() : ctx.reject(['publickey'])))
        .on('session', (acceptSession) => {
          acceptSession().on('exec', (accept, _reject, info) => {
            const stream = accept()
            const code = Number(/^exit (\d+)$/.exec(info.command)?.[1] ?? 127)
            stream.write(`ran ${info.command}\n`)
            stream.exit(code)
            stream.end()
          })
        })
        .on('error', () => {})
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it('gets the exit status and output of every one of 200 commands, 24 at a time', async () => {
    const vm = new VmConnection({ host: '127.0.0.1', port, username: 'cooperbench', privateKey: client.privateKey })
    try {
      await vm.connect(10_000)
      const codes = Array.from({ length: 200 }, (_, i) => i % 7)
      const results: Array<{ code: number; out: string }> = []
      for (let at = 0; at < codes.length; at += 24) {
        const batch = codes.slice(at, at + 24).map(async (code) => {
          let out = ''
          const result = await vm.run(`exit ${code}`, { onStdout: (chunk) => (out += chunk.toString()) })
          return { code: result.code, out }
        })
        results.push(...(await Promise.all(batch)))
      }
      expect(results.map((r) => r.code)).toEqual(codes)
      expect(results.map((r) => r.out)).toEqual(codes.map((code) => `ran exit ${code}\n`))
    } finally {
      vm.close()
    }
  })

  it('opens a stream whose end is seen even when the command has already ended', async () => {
    const vm = new VmConnection({ host: '127.0.0.1', port, username: 'cooperbench', privateKey: client.privateKey })
    try {
      const stream = await vm.open('exit 0')
      await expect(Promise.race([stream.ended.then(() => 'ended'), new Promise((resolve) => setTimeout(resolve, 5_000, 'still open'))])).resolves.toBe('ended')
    } finally {
      vm.close()
    }
  })
})
