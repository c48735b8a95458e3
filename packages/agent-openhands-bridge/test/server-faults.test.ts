import { createServer, type Server } from 'node:net'
import { freePort } from '@cooperbench/testkit'
import { describe, expect, it } from 'vitest'
import { expectSubmitted, standInRig } from './stand-in-rig.js'

const rig = await standInRig()
const { sandboxes } = rig

const serverCommand = rig.command()

describe.skipIf(sandboxes.skip)('an agent server that fails the bridge’s connection', () => {
  it('starts the server again on another port when it exits before it is ready on a port the bridge picked', async () => {
    // The first start fails as a server whose port is taken does; the second one runs.
    const flaky = `if [ ! -e /tmp/first-start ]; then : > /tmp/first-start; echo 'Error: listen EADDRINUSE: address already in use 127.0.0.1:{port}' >&2; exit 1; fi; exec ${serverCommand}`
    const record = await rig.run({ server_command: flaky })
    expectSubmitted(record)
  }, 90_000)

  it('starts the server again on another port when another agent’s server holds the one it picked (that server refuses its key)', async () => {
    // The first start finds the port held by a server started with another key, as a teammate's on
    // a shared network: it answers /ready and /server_info (no key needed), then 401 to this agent.
    const taken = `if [ ! -e /tmp/first-start ]; then : > /tmp/first-start; SESSION_API_KEY=another-agents-key ${serverCommand} & exec sleep 600; fi; exec ${serverCommand}`
    const record = await rig.run({ server_command: taken })
    expectSubmitted(record)
  }, 90_000)

  it('reads the status again when a read’s connection drops, so a flaky relay does not end the run', async () => {
    const flaky = rig.command('--reset-status-reads', '3')
    const record = await rig.run({ server_command: flaky })
    expectSubmitted(record)
  }, 90_000)

  it('uses a configured port as it is: taken, the run fails once with the server’s own output', async () => {
    const holder: Server = createServer()
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve))
    const port = (holder.address() as { port: number }).port
    try {
      const started = Date.now()
      const record = await rig.run({ server_command: serverCommand, port })
      expect(record.result?.status).toBe('Error')
      expect(record.result?.error).toMatch(/agent server exited \(code \d+\) before it was ready: .*EADDRINUSE/s)
      expect(Date.now() - started).toBeLessThan(60_000)
    } finally {
      holder.close()
    }
  }, 90_000)

  it('a configured port on which another agent’s server answers: the run fails once, naming the port, not with a 401 from that server', async () => {
    const port = await freePort()
    const started = Date.now()
    const record = await rig.run({ server_command: `SESSION_API_KEY=another-agents-key ${serverCommand} & exec sleep 600`, port })
    expect(record.result?.status).toBe('Error')
    expect(record.result?.error).toBe(`another agent server answers on port ${port}: it refused this agent's session key`)
    expect(Date.now() - started).toBeLessThan(60_000)
  }, 90_000)
})
