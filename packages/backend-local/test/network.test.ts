import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { LocalBackend } from '../src/index.js'
import { bwrapPath, bwrapSkipReason, childPids, makeTaskFixture, specFor } from './fixture.js'

/** This process's namespace holders: bwrap children with their own network running `sleep infinity`. */
const holderPids = () => childPids((argv) => argv.includes('--unshare-net') && argv.includes('infinity'))

describe.skipIf(!bwrapPath)(`local sandboxes and the network (${bwrapPath ? 'bwrap found' : bwrapSkipReason})`, () => {
  const backends: LocalBackend[] = []
  const folders: string[] = []
  afterAll(async () => {
    for (const backend of backends) await backend.close()
    for (const folder of folders) await rm(folder, { recursive: true, force: true })
  })
  const backend = async (network: boolean) => {
    const root = await mkdtemp(join(tmpdir(), 'cb-local-net-'))
    folders.push(root)
    const made = new LocalBackend({ root, network })
    backends.push(made)
    return made
  }
  /** A task fixture removed with the backends' roots. */
  const taskFixture = async () => {
    const fixture = await makeTaskFixture()
    folders.push(fixture.dir)
    return fixture
  }

  it('by default a sandbox’s commands share one private loopback: a server one starts answers another, not the host', async () => {
    const { task } = await taskFixture()
    const local = await backend(false)
    expect(local.capabilities.network).toBe(false)
    const sandbox = await local.createSandbox(specFor(task))
    const port = 20_000 + Math.floor(Math.random() * 20_000)
    const server = new AbortController()
    const serving = sandbox.exec(`exec python3 -m http.server ${port} --bind 127.0.0.1`, { cwd: '/tmp', signal: server.signal })
    try {
      const probe = `for i in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null && echo up && exit 0; sleep 0.1; done; echo down`
      expect((await sandbox.exec(probe)).stdout.trim()).toBe('up')
      await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow()
    } finally {
      server.abort()
      await serving
    }
  })

  it('a namespace holder killed from outside is replaced: the next command runs, on a private loopback again', async (ctx) => {
    const { task } = await taskFixture()
    const local = await backend(false)
    const before = new Set(holderPids())
    const sandbox = await local.createSandbox(specFor(task))
    const [holder] = holderPids().filter((pid) => !before.has(pid))
    if (holder === undefined) ctx.skip('this machine gives sandboxes no namespace holder (nsenter needs root)')
    expect((await sandbox.exec('echo before')).stdout).toBe('before\n')
    process.kill(-holder!, 'SIGKILL')
    for (let i = 0; i < 100 && existsSync(`/proc/${holder}`); i++) await new Promise((r) => setTimeout(r, 50))
    expect(existsSync(`/proc/${holder}`)).toBe(false)
    // Without a new holder this fails in nsenter: "cannot open /proc/<pid>/ns/net".
    const after = await sandbox.exec('echo after; cat /proc/net/dev | grep -c :')
    expect(after, after.stderr).toMatchObject({ exitCode: 0, stdout: 'after\n1\n' })
    expect(holderPids().filter((pid) => !before.has(pid) && pid !== holder)).toHaveLength(1)
    await sandbox.terminate()
    await new Promise((r) => setTimeout(r, 200))
    expect(holderPids().filter((pid) => !before.has(pid))).toEqual([])
  })

  it('an exposed port whose server is not up yet, or closes before reading the request, ends those connections and nothing else', async () => {
    // The OpenHands bridge polls its server while it starts (each request meets a relay whose
    // connect failed) and posts large bodies: the relay's command exits while data is written.
    const { task } = await taskFixture()
    const local = await backend(false)
    const sandbox = await local.createSandbox(specFor(task))
    const port = 20_000 + Math.floor(Math.random() * 20_000)
    const url = await sandbox.exposePort(port)
    const body = new Uint8Array(8 * 1024 * 1024)
    for (let i = 0; i < 3; i++) await expect(fetch(url, { method: 'POST', body })).rejects.toThrow()
    // A server that answers each connection after its first read and closes without reading the rest.
    const script =
      `import socket\ns=socket.socket();s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1);s.bind(('127.0.0.1',${port}));s.listen(8)\n` +
      `while True:\n  c,_=s.accept();c.recv(65536);c.sendall(b'HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\nConnection: close\\r\\n\\r\\nok');c.close()\n`
    const server = new AbortController()
    const serving = sandbox.exec(['python3', '-c', script], { cwd: '/tmp', signal: server.signal })
    try {
      let up = false
      for (let i = 0; i < 100 && !up; i++) {
        up =
          (await fetch(url).then(
            (r) => r.text(),
            () => null,
          )) === 'ok'
        if (!up) await new Promise((r) => setTimeout(r, 100))
      }
      expect(up).toBe(true)
      // The answer may arrive, or the client may see its upload cut: either way only that request ends.
      for (let i = 0; i < 3; i++)
        await fetch(url, { method: 'POST', body }).then(
          (r) => r.text(),
          () => null,
        )
      expect(await fetch(url).then((r) => r.text())).toBe('ok')
      expect((await sandbox.exec('echo alive')).stdout.trim()).toBe('alive')
    } finally {
      server.abort()
      await serving
    }
  })

  it('with `network: true` commands share this machine’s network, and an exposed port is the port itself', async () => {
    const { task } = await taskFixture()
    const local = await backend(true)
    expect(local.capabilities.network).toBe(true)
    const sandbox = await local.createSandbox(specFor(task))
    const port = 20_000 + Math.floor(Math.random() * 20_000)
    const url = await sandbox.exposePort(port)
    expect(url).toBe(`http://127.0.0.1:${port}`)
    const server = new AbortController()
    const serving = sandbox.exec(`exec python3 -m http.server ${port} --bind 127.0.0.1`, { cwd: '/tmp', signal: server.signal })
    try {
      let status = 0
      for (let i = 0; i < 50 && status !== 200; i++) {
        status = await fetch(`${url}/`).then(
          (r) => r.status,
          () => 0,
        )
        if (status !== 200) await new Promise((r) => setTimeout(r, 100))
      }
      expect(status).toBe(200)
    } finally {
      server.abort()
      await serving
    }
  })
})
