import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
// The fixture lives in testkit, which depends on core; it imports nothing from core, so a test may use it by path.
import { freePort, type RedisServerFixture, redisServerSkipReason, startRedisServer } from '@cooperbench/testkit'
import type { BusMessage, Mailbox } from '@cooperbench/spec'
import { REDIS_BUS_KEY_TTL_SECONDS, RedisBus } from '../src/redis-bus.js'
import { type CooperbenchError, isCooperbenchError } from '@cooperbench/spec'
import { silentLogger } from '@cooperbench/spec-utils'
import { applyPlugin, PluginRegistry } from '@cooperbench/core'
import plugin from '../src/register.js'

const skip = redisServerSkipReason()

describe.skipIf(skip !== false)(`redis bus${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let server: RedisServerFixture
  let raw: Redis
  const buses: RedisBus[] = []
  const newBus = (operationTimeoutMs = 2_000) => {
    const bus = new RedisBus({ url: server.url, operationTimeoutMs })
    buses.push(bus)
    return bus
  }
  const namespace = () => `run:${randomBytes(4).toString('hex')}`
  const team = (bus: RedisBus, ns: string, agents: string[]) =>
    Promise.all(
      agents.map((id) =>
        bus.open(
          ns,
          id,
          agents.filter((other) => other !== id),
        ),
      ),
    )
  const keysOf = async (ns: string) => (await raw.keys(`${ns}:*`)).sort()

  beforeAll(async () => {
    server = await startRedisServer()
    raw = new Redis(server.url, { maxRetriesPerRequest: null })
    raw.on('error', () => {})
  })
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.close()))
  })
  afterAll(async () => {
    raw?.disconnect()
    await server?.stop()
  })

  describe('wire compatibility with the reference (docs/reference-compatibility.md#messaging)', () => {
    it('a send is an RPUSH of {"from","to","content","timestamp"} (+ id) JSON to run:<id>:<agent>:inbox', async () => {
      const bus = newBus()
      const ns = namespace()
      const [a1] = await team(bus, ns, ['agent1', 'agent2'])
      const { message } = await a1!.send('agent2', 'I plan to edit src/jinja2/loaders.py, lines 170-230 only.')
      const inbox = `${ns}:agent2:inbox`
      expect(await raw.type(inbox)).toBe('list')
      const entries = await raw.lrange(inbox, 0, -1)
      expect(entries).toHaveLength(1)
      const parsed = JSON.parse(entries[0]!) as Record<string, unknown>
      expect(Object.keys(parsed)).toEqual(['from', 'to', 'content', 'timestamp', 'id'])
      expect(parsed).toEqual({ from: 'agent1', to: 'agent2', content: message.content, timestamp: message.timestamp, id: message.id })
      expect(entries[0]).toBe(JSON.stringify(parsed))
      expect(await raw.exists(`${ns}:agent1:inbox`)).toBe(0)
    })

    it('a reference client LPOPs what the bus sends', async () => {
      const bus = newBus()
      const ns = namespace()
      const [a1, a2] = await team(bus, ns, ['agent1', 'agent2'])
      await a1!.send('agent2', 'first')
      await a1!.send('agent2', 'second')
      const popped: string[] = []
      for (let item = await raw.lpop(`${ns}:agent2:inbox`); item !== null; item = await raw.lpop(`${ns}:agent2:inbox`)) popped.push(item)
      expect(popped.map((p) => (JSON.parse(p) as { content: string }).content)).toEqual(['first', 'second'])
      expect(await a2!.receive()).toEqual([])
    })

    it('the bus receives what a reference client RPUSHes without an id, once per distinct entry', async () => {
      const bus = newBus()
      const ns = namespace()
      const [a1] = await team(bus, ns, ['agent1', 'agent2'])
      const iso = JSON.stringify({ from: 'agent2', to: 'agent1', content: 'ISO without offset', timestamp: '2026-05-15T14:03:11.482113' })
      const epoch = JSON.stringify({ from: 'agent2', to: 'agent1', content: 'epoch seconds', timestamp: 1778854000.25, timestamp_iso: 'x' })
      await raw.rpush(`${ns}:agent1:inbox`, iso, epoch)
      const received = await a1!.receive()
      expect(received.map((m) => [m.from, m.to, m.content])).toEqual([
        ['agent2', 'agent1', 'ISO without offset'],
        ['agent2', 'agent1', 'epoch seconds'],
      ])
      expect(received[0]!.timestamp).toBe('2026-05-15T14:03:11.482113')
      expect(Date.parse(received[1]!.timestamp)).toBe(1778854000250)
      expect(received[0]!.id).toMatch(/^ref-[0-9a-f]{32}$/)
      expect(received[0]!.id).not.toBe(received[1]!.id)
      // The same bytes again are the same message (e.g. a client retrying its RPUSH).
      await raw.rpush(`${ns}:agent1:inbox`, iso)
      expect(await a1!.receive()).toEqual([])
      expect((await bus.transcript(ns)).map((m) => m.content)).toEqual(['ISO without offset', 'epoch seconds'])
    })

    it('a message pushed again (at-least-once redelivery) is received once', async () => {
      const bus = newBus()
      const ns = namespace()
      const [a1, a2] = await team(bus, ns, ['agent1', 'agent2'])
      const { message } = await a1!.send('agent2', 'once')
      const [json] = await raw.lrange(`${ns}:agent2:inbox`, 0, -1)
      expect(await a2!.receive()).toEqual([message])
      await raw.rpush(`${ns}:agent2:inbox`, json!, json!)
      await a1!.send('agent2', 'next')
      expect((await a2!.receive()).map((m) => m.content)).toEqual(['next'])
    })

    it('opening a mailbox neither deletes nor trims an inbox', async () => {
      const bus = newBus()
      const ns = namespace()
      const early = [1, 2, 3].map((n) => JSON.stringify({ from: 'agent1', to: 'agent2', content: `early ${n}`, timestamp: '2026-05-15T14:03:11.000000' }))
      await raw.rpush(`${ns}:agent2:inbox`, ...early)
      const a2 = await bus.open(ns, 'agent2', ['agent1'])
      expect(await raw.llen(`${ns}:agent2:inbox`)).toBe(3)
      expect((await a2.receive()).map((m) => m.content)).toEqual(['early 1', 'early 2', 'early 3'])
    })
  })

  describe('keys', () => {
    it('every key the bus writes expires, after at least a day', async () => {
      const bus = newBus()
      const ns = namespace()
      const [a1, a2, a3] = await team(bus, ns, ['agent1', 'agent2', 'agent3'])
      const { message } = await a1!.send('agent2', 'read')
      await a2!.receive()
      await a3!.send('agent2', 'left unread')
      await a2!.send('agent1', 'reply')
      await a1!.waitForMessages('agent2', 1_000)
      await a3!.finish()
      await a1!.deliveryState(message.id)
      const keys = await keysOf(ns)
      expect(keys).toEqual(expect.arrayContaining([`${ns}:agent2:inbox`, `${ns}:bus:messages`, `${ns}:bus:read`, `${ns}:bus:finished`]))
      for (const key of keys) {
        const ttl = await raw.ttl(key)
        expect(ttl, key).toBeGreaterThanOrEqual(REDIS_BUS_KEY_TTL_SECONDS - 60)
        expect(REDIS_BUS_KEY_TTL_SECONDS).toBeGreaterThanOrEqual(86_400)
      }
    })

    it('clear deletes every key of the namespace, found with SCAN (never KEYS), and nothing else', async () => {
      const bus = newBus()
      const ns = namespace()
      const neighbour = `${ns}0`
      const [a1, a2] = await team(bus, ns, ['agent1', 'agent2'])
      const [n1] = await team(bus, neighbour, ['agent1', 'agent2'])
      await a1!.send('agent2', 'read')
      await a2!.receive()
      await a1!.send('agent2', 'unread')
      await a2!.finish()
      await raw.rpush(`${ns}:agent1:sent_messages`, '{"from":"agent1"}')
      await n1!.send('agent2', 'in the neighbouring namespace')
      expect((await keysOf(ns)).length).toBeGreaterThan(3)
      const neighbourKeys = await keysOf(neighbour)

      const monitor = await raw.monitor()
      const commands: string[] = []
      monitor.on('monitor', (_time: string, args: string[]) => commands.push(String(args[0]).toLowerCase()))
      await bus.clear(ns)
      // The monitor's feed comes on its own connection, maybe well after clear's replies on a loaded machine: a
      // command sent once clear is done marks the feed's end of clear's commands.
      await raw.echo('clear is done')
      for (const deadline = Date.now() + 20_000; !commands.includes('echo') && Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      monitor.disconnect()

      expect(commands).toContain('scan')
      expect(commands).not.toContain('keys')
      expect(await keysOf(ns)).toEqual([])
      expect(await keysOf(neighbour)).toEqual(neighbourKeys)
    })

    it('rejects an empty namespace, which would match every key', async () => {
      const bus = newBus()
      await expect(bus.clear('')).rejects.toMatchObject({ code: 'USAGE' })
      await expect(bus.open('', 'agent1', ['agent2'])).rejects.toMatchObject({ code: 'USAGE' })
    })
  })

  describe('failures', () => {
    it('a connection dropped again and again mid-run loses and repeats no message', async () => {
      const bus = newBus()
      const ns = namespace()
      const [a1, a2] = await team(bus, ns, ['agent1', 'agent2'])
      const count = 150
      let running = true
      let kills = 0
      // A kill waits for a few sends since the last one: kills paced by the clock alone starve the senders when a
      // reconnect takes longer than the pause between kills, as it does on a loaded machine.
      let sent = 0
      const killer = (async () => {
        for (let sentAtKill = 0; running; await new Promise((resolve) => setTimeout(resolve, 7))) {
          if (sent < sentAtKill + 3) continue
          sentAtKill = sent
          kills += Number(await raw.client('KILL', 'TYPE', 'normal'))
        }
      })()
      const sendAll = async (from: Mailbox, to: string) => {
        for (let i = 0; i < count; i++) {
          await from.send(to, `${from.agentId}#${i}`)
          sent++
        }
      }
      // Receivers take what arrives while the senders run (every kill costs a reconnect, so that
      // is as slow as the machine is busy); once the senders are done and the kills stop, what is
      // still missing must come within a calm bound: a lost message never does.
      let sending = true
      const [to2, to1]: BusMessage[][] = [[], []]
      const drain = async (mailbox: Mailbox, into: BusMessage[]) => {
        while (sending) {
          into.push(...(await mailbox.receive()))
          await new Promise((resolve) => setTimeout(resolve, 10))
        }
      }
      const receivers = [drain(a2!, to2!), drain(a1!, to1!)]
      await Promise.all([sendAll(a1!, 'agent2'), sendAll(a2!, 'agent1')])
      running = false
      await killer
      sending = false
      await Promise.all(receivers)
      to2!.push(...(await receiveCount(a2!, count - to2!.length, 30_000)))
      to1!.push(...(await receiveCount(a1!, count - to1!.length, 30_000)))
      expect(kills).toBeGreaterThan(5)
      const expected = (from: string) => Array.from({ length: count }, (_, i) => `${from}#${i}`)
      expect(to2!.map((m) => m.content)).toEqual(expected('agent1'))
      expect(to1!.map((m) => m.content)).toEqual(expected('agent2'))
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect([...(await a1!.receive()), ...(await a2!.receive())]).toEqual([])
      const transcript = await bus.transcript(ns)
      expect(new Set(transcript.map((m) => m.id)).size).toBe(2 * count)
      expect(transcript).toHaveLength(2 * count)
    }, 300_000)

    it('during an outage, send and receive return within the bound without throwing; the message arrives later', async () => {
      const bus = newBus(500)
      const ns = namespace()
      const [a1, a2] = await team(bus, ns, ['agent1', 'agent2'])
      await a1!.send('agent2', 'before')
      // The bounds below sit well under the outage, so a call that waited for the server fails them
      // whatever the machine's load.
      const restarting = server.restart({ downtimeMs: 8_000 })
      await new Promise((resolve) => setTimeout(resolve, 100))
      let started = Date.now()
      const during = await a1!.send('agent2', 'during the outage')
      expect(Date.now() - started).toBeLessThan(3_500)
      expect(await a1!.deliveryState(during.message.id)).toBe('delivered')
      started = Date.now()
      const received = await a2!.receive()
      expect(Date.now() - started).toBeLessThan(3_500)
      expect(received).toEqual([])
      await restarting
      expect((await receiveCount(a2!, 2)).map((m) => m.content)).toEqual(['before', 'during the outage'])
    })

    it('preflight passes against a live server', async () => {
      await newBus().preflight()
    })

    it('preflight fails with BACKEND_UNAVAILABLE naming the URL without its password', async () => {
      const port = await freePort()
      const bus = new RedisBus({ url: `redis://user:s3cret@127.0.0.1:${port}` })
      const error = await bus.preflight().then(
        () => null,
        (e: unknown) => e,
      )
      expect(isCooperbenchError(error)).toBe(true)
      if (!isCooperbenchError(error)) return
      expect(error.code).toBe('BACKEND_UNAVAILABLE')
      expect(error.message).toContain(`127.0.0.1:${port}`)
      expect(`${error.message} ${error.hint}`).not.toContain('s3cret')
      expect(error.hint).toMatch(/redis-server/)
      expect(error.hint).toMatch(/--redis/)
      await bus.close()
    })
  })

  describe('two harness processes sharing a namespace', () => {
    it('send, receive, receipts, finished agents, replies and the transcript work across buses', async () => {
      const ns = namespace()
      const left = newBus()
      const right = newBus()
      const a1 = await left.open(ns, 'agent1', ['agent2'])
      const a2 = await right.open(ns, 'agent2', ['agent1'])
      const first = await a1.send('agent2', 'hello from process 1')
      expect(await a2.receive()).toEqual([first.message])
      expect(await a1.deliveryState(first.message.id)).toBe('read')
      const waiting = a1.waitForMessages('agent2', 5_000)
      const reply = await a2.send('agent1', 'hello from process 2')
      expect(await waiting).toEqual([reply.message])
      expect(await a2.deliveryState(reply.message.id)).toBe('read')
      await a2.finish()
      expect((await a1.send('agent2', 'too late')).recipientFinished).toBe(true)
      const contents = ['hello from process 1', 'hello from process 2', 'too late']
      expect((await left.transcript(ns)).map((m) => m.content)).toEqual(contents)
      expect((await right.transcript(ns)).map((m) => m.content)).toEqual(contents)
    })

    it('a restart without persistence neither loses nor repeats messages between processes', async () => {
      const ns = namespace()
      const left = newBus()
      const right = newBus()
      const a1 = await left.open(ns, 'agent1', ['agent2'])
      const a2 = await right.open(ns, 'agent2', ['agent1'])
      const read = await a1.send('agent2', 'read before the restart')
      expect(await a2.receive()).toEqual([read.message])
      await a1.send('agent2', 'unread at the restart')
      await server.restart()
      await a1.send('agent2', 'after the restart')
      const got = await receiveCount(a2, 2)
      await new Promise((resolve) => setTimeout(resolve, 500))
      got.push(...(await a2.receive()))
      expect(got.map((m) => m.content)).toEqual(['unread at the restart', 'after the restart'])
      const contents = ['read before the restart', 'unread at the restart', 'after the restart']
      expect((await left.transcript(ns)).map((m) => m.content)).toEqual(contents)
      expect((await right.transcript(ns)).map((m) => m.content)).toEqual(contents)
    })
  })

  describe('options', () => {
    it('the host fills in the reference URL and refuses bad options with CONFIG_INVALID, credentials unshown', async () => {
      const registry = new PluginRegistry()
      await applyPlugin(registry, plugin.plugin)
      const create = (options: Record<string, unknown>) => Promise.resolve().then(() => registry.create('bus', 'redis', { options, logger: silentLogger }))
      const bus = (await create({})) as RedisBus
      expect(bus.safeUrl).toBe('redis://localhost:6379')
      expect(bus.name).toBe('redis')
      expect(bus.specificationVersion).toBe('bus-v1')
      await bus.close()
      const refusal = (options: Record<string, unknown>) =>
        create(options).then(
          () => expect.unreachable(),
          (error: CooperbenchError) => error,
        )
      // A database that is not a number would have the client send `SELECT NaN` and fail outside any caller.
      for (const url of ['http://localhost:6379', 'redis://', 'redis://:secret@/0', 'redis://127.0.0.1:6379/abc', 'redis://localhost/0/1']) {
        const error = await refusal({ url })
        expect([error.code, error.details]).toEqual([
          'CONFIG_INVALID',
          ['buses.redis.url: must be a redis:// or rediss:// URL naming a host, with a database number as its path if any (redis://host:6379/0)'],
        ])
      }
      for (const url of ['redis://127.0.0.1:6379/', 'redis://127.0.0.1:6379/3', 'rediss://u:p@cache.example:6380/1?family=6']) {
        await ((await create({ url })) as RedisBus).close()
      }
      expect((await refusal({ host: 'x' })).details).toEqual(['buses.redis.host: unknown key "host"'])
      const direct = new RedisBus({ url: 'rediss://:secret@cache.example:6380/1' })
      expect(direct.safeUrl).not.toContain('secret')
      await direct.close()
    })
  })
})

async function receiveCount(mailbox: Mailbox, count: number, timeoutMs = 20_000): Promise<BusMessage[]> {
  const got: BusMessage[] = []
  const deadline = Date.now() + timeoutMs
  while (got.length < count && Date.now() < deadline) {
    got.push(...(await mailbox.receive()))
    if (got.length < count) await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return got
}
