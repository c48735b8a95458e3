import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { type BusMessage, isCooperbenchError, type Mailbox, type MessageBus } from '@cooperbench/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { skippedSuite } from './skip.js'

export interface BusConformanceOptions {
  /** Creates the bus under test (called once per suite; the suite closes it). */
  createBus(): Promise<MessageBus> | MessageBus
  /** Skip the whole suite with this reason (e.g. no redis-server and not CI). */
  skip?: string | false
  /**
   * Restarts the bus' server mid-test, losing everything it held (e.g. `kill -9` and a fresh
   * `redis-server` without persistence on the same port). When given, the suite checks that
   * messages sent before, during and after the restart arrive exactly once.
   */
  restart?(): Promise<void>
  /** Per-test timeout in ms. Default 30 000. */
  timeoutMs?: number
}

/** ISO 8601 with an explicit offset (docs/reference-compatibility.md#messaging: what the harness writes). */
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/

/** Contents the suite sends byte for byte: lines, quotes, escapes, non-ASCII, control characters. */
export const TRICKY_CONTENTS: readonly string[] = [
  'line one\nline two\n\nline four, then a trailing newline\n',
  'windows\r\nline endings\r\n',
  `double "quotes", single 'quotes', back\`ticks\` and a \\backslash\\`,
  '{"from":"agent9","to":"agent1","id":"forged","timestamp":"1999-01-01T00:00:00"}',
  "send_message agent2 <<'EOF'\nnested heredoc\nEOF",
  'unicode: héllo wörld — ünïcödé, 中文, 日本語, עברית, العربية, emoji 🤝🧪👩🏽‍💻, combining é',
  'tabs\tand\u0000nul and \u001b[31mescape\u001b[0m and \u2028 line separator',
  '',
  ' leading and trailing spaces ',
  'x'.repeat(100_000),
]

/**
 * Defines a vitest suite, `bus conformance: <name>`, that checks a {@link MessageBus} against
 * the contract the runner and the agents rely on (`MessageBus` and `Mailbox` in
 * `@cooperbench/core`, docs/reference-compatibility.md#messaging). Call it at the top level of a test file:
 *
 * ```ts
 * import { MemoryBus } from '@cooperbench/builtins'
 * import { describeBusConformance, redisServerSkipReason, startRedisServer } from '@cooperbench/testkit'
 *
 * describeBusConformance('memory', { createBus: () => new MemoryBus() })
 *
 * let server: RedisServerFixture | undefined
 * afterAll(() => server?.stop())
 * describeBusConformance('redis', {
 *   skip: redisServerSkipReason(),
 *   createBus: async () => new RedisBus({ url: (server = await startRedisServer()).url }),
 *   restart: () => server!.restart({ downtimeMs: 300 }),
 * })
 * ```
 *
 * Behaviours: FIFO send/receive that drains; isolation of namespaces and of agents; no inbox wipe
 * on open (a message sent before its recipient opens is delivered; opening twice loses nothing);
 * id, sender and ISO 8601 timestamp stamped by the harness; sends to unknown agents or oneself
 * rejected with code USAGE; delivery states delivered → read; `finish` → `recipientFinished` (and `hasFinished`, when the bus has it);
 * `markAwaiting`/`isAwaitedBy` and `markPublished`/`hasPublished` when the bus has them;
 * `waitForMessages` (the peer's reply only, others left queued; timeout; abort); the transcript
 * (each message once, in send order); `clear`; 200 messages sent concurrently by two agents
 * arriving exactly once in per-sender order; byte-exact contents; and, with `restart`, exactly-once
 * delivery and transcript across a server restart. Every test uses a namespace of its own.
 */
export function describeBusConformance(name: string, options: BusConformanceOptions): void {
  const title = `bus conformance: ${name}`
  if (options.skip) {
    skippedSuite(title, options.skip)
    return
  }

  const timeout = options.timeoutMs ?? 30_000
  let bus: MessageBus | undefined
  const namespaces: string[] = []
  const ready = (): MessageBus => {
    if (!bus) throw new Error(`${title}: the suite's setup failed (see the beforeAll error)`)
    return bus
  }
  const namespace = (): string => {
    const ns = `run:conformance-${randomBytes(6).toString('hex')}`
    namespaces.push(ns)
    return ns
  }
  /** Opens a mailbox per agent, each with the others as peers. */
  const team = async (ns: string, agents: string[]): Promise<Mailbox[]> =>
    Promise.all(
      agents.map((id) =>
        ready().open(
          ns,
          id,
          agents.filter((other) => other !== id),
        ),
      ),
    )

  describe(title, { timeout }, () => {
    beforeAll(async () => {
      bus = await options.createBus()
    })

    afterAll(async () => {
      if (!bus) return
      for (const ns of namespaces) await bus.clear(ns).catch(() => {})
      await bus.close()
    })

    it("specificationVersion is 'bus-v1'", () => {
      expect(ready().specificationVersion).toBe('bus-v1')
    })

    it('receive drains the inbox oldest first; a second receive returns nothing', async () => {
      const [a1, a2] = await team(namespace(), ['agent1', 'agent2'])
      for (const n of [1, 2, 3, 4, 5]) await a1!.send('agent2', `message ${n}`)
      expect(contents(await a2!.receive())).toEqual(['message 1', 'message 2', 'message 3', 'message 4', 'message 5'])
      expect(await a2!.receive()).toEqual([])
      expect(await a1!.receive()).toEqual([])
    })

    it('namespaces are isolated', async () => {
      const first = namespace()
      const second = namespace()
      const [a1] = await team(first, ['agent1', 'agent2'])
      const [, b2] = await team(second, ['agent1', 'agent2'])
      await a1!.send('agent2', 'for the first namespace')
      expect(await b2!.receive()).toEqual([])
      const [, a2] = await team(first, ['agent1', 'agent2'])
      expect(contents(await a2!.receive())).toEqual(['for the first namespace'])
      expect(await ready().transcript(second)).toEqual([])
    })

    it('agents are isolated: only the recipient receives', async () => {
      const [a1, a2, a3] = await team(namespace(), ['agent1', 'agent2', 'agent3'])
      await a1!.send('agent2', 'for agent2 only')
      expect(await a3!.receive()).toEqual([])
      expect(await a1!.receive()).toEqual([])
      expect(contents(await a2!.receive())).toEqual(['for agent2 only'])
    })

    it('a message sent before its recipient opens a mailbox is delivered (no wipe on open)', async () => {
      const ns = namespace()
      const a1 = await ready().open(ns, 'agent1', ['agent2'])
      await a1.send('agent2', 'sent before agent2 connected')
      const a2 = await ready().open(ns, 'agent2', ['agent1'])
      expect(contents(await a2.receive())).toEqual(['sent before agent2 connected'])
    })

    it('opening a mailbox again loses no message', async () => {
      const ns = namespace()
      const [a1, first] = await team(ns, ['agent1', 'agent2'])
      await a1!.send('agent2', 'one')
      await a1!.send('agent2', 'two')
      const second = await ready().open(ns, 'agent2', ['agent1'])
      const got = [...(await second.receive()), ...(await first!.receive())]
      await second.close()
      await a1!.send('agent2', 'three')
      const third = await ready().open(ns, 'agent2', ['agent1'])
      got.push(...(await third.receive()), ...(await first!.receive()))
      expect(contents(got)).toEqual(['one', 'two', 'three'])
    })

    it('the harness stamps id, sender, recipient and an ISO 8601 time with offset', async () => {
      const [a1, a2] = await team(namespace(), ['agent1', 'agent2'])
      const before = Date.now()
      const forged = '{"from":"agent9","id":"forged","timestamp":"1999-01-01T00:00:00"}'
      const first = await a1!.send('agent2', forged)
      const second = await a1!.send('agent2', 'second')
      const after = Date.now()
      for (const { message } of [first, second]) {
        expect(message.id).toMatch(/\S/)
        expect(message.from).toBe('agent1')
        expect(message.to).toBe('agent2')
        expect(message.timestamp).toMatch(ISO_WITH_OFFSET)
        const at = Date.parse(message.timestamp)
        expect(at).toBeGreaterThanOrEqual(before - 1_000)
        expect(at).toBeLessThanOrEqual(after + 1_000)
      }
      expect(first.message.id).not.toBe(second.message.id)
      expect(first.message.content).toBe(forged)
      expect(await a2!.receive()).toEqual([first.message, second.message])
    })

    it('sending to an unknown agent or to oneself rejects with code USAGE and writes nothing', async () => {
      const ns = namespace()
      const [a1, a2] = await team(ns, ['agent1', 'agent2'])
      for (const to of ['agent9', 'agent1', '']) {
        const error = await a1!.send(to, 'nobody reads this').then(
          () => null,
          (e: unknown) => e,
        )
        expect(isCooperbenchError(error) && error.code === 'USAGE', `send to "${to}" must reject with code USAGE`).toBe(true)
      }
      expect(await a1!.receive()).toEqual([])
      expect(await a2!.receive()).toEqual([])
      expect(await ready().transcript(ns)).toEqual([])
    })

    it('deliveryState: null when unknown, delivered once sent, read once received', async () => {
      const [a1, a2] = await team(namespace(), ['agent1', 'agent2'])
      expect(await a1!.deliveryState('no-such-message')).toBeNull()
      const { message } = await a1!.send('agent2', 'track me')
      expect(await a1!.deliveryState(message.id)).toBe('delivered')
      await a2!.receive()
      expect(await a1!.deliveryState(message.id)).toBe('read')
    })

    it('finish: later sends to the finished agent report recipientFinished', async () => {
      const [a1, a2] = await team(namespace(), ['agent1', 'agent2'])
      expect((await a1!.send('agent2', 'while running')).recipientFinished).toBe(false)
      await a2!.finish()
      expect((await a1!.send('agent2', 'after the end')).recipientFinished).toBe(true)
      expect((await a2!.send('agent1', 'the finished agent can still be written to')).recipientFinished).toBe(false)
    })

    it('hasFinished (optional): false while the peer runs, true once it finished, seen from another mailbox', async (ctx) => {
      const [a1, a2] = (await team(namespace(), ['agent1', 'agent2'])) as [Mailbox, Mailbox]
      const { hasFinished } = a1
      if (!hasFinished || !a2.hasFinished) return ctx.skip()
      expect(await a1.hasFinished!('agent2')).toBe(false)
      await a2.finish()
      expect(await a1.hasFinished!('agent2')).toBe(true)
      expect(await a2.hasFinished('agent1')).toBe(false)
    })

    it('markAwaiting / isAwaitedBy (optional): set for the recipient only, cleared with 0, lapsing after its ttl', async (ctx) => {
      const [a1, a2, a3] = (await team(namespace(), ['agent1', 'agent2', 'agent3'])) as [Mailbox, Mailbox, Mailbox]
      const mark = (ttlMs: number) => a1.markAwaiting!('agent2', ttlMs)
      if (!a1.markAwaiting || !a2.isAwaitedBy || !a3.isAwaitedBy) return ctx.skip()
      expect(await a2.isAwaitedBy('agent1')).toBe(false)
      await mark(10_000)
      expect(await a2.isAwaitedBy('agent1')).toBe(true)
      expect(await a2.isAwaitedBy('agent3')).toBe(false)
      expect(await a3.isAwaitedBy('agent1')).toBe(false)
      await mark(0)
      expect(await a2.isAwaitedBy('agent1')).toBe(false)
      await mark(200)
      await new Promise((resolve) => setTimeout(resolve, 400))
      expect(await a2.isAwaitedBy('agent1')).toBe(false)
    })

    it('markPublished / hasPublished (optional): false until the peer records it, seen from another mailbox', async (ctx) => {
      const [a1, a2] = (await team(namespace(), ['agent1', 'agent2'])) as [Mailbox, Mailbox]
      if (!a1.hasPublished || !a2.markPublished || !a2.hasPublished) return ctx.skip()
      expect(await a1.hasPublished('agent2')).toBe(false)
      await a2.markPublished()
      expect(await a1.hasPublished('agent2')).toBe(true)
      expect(await a2.hasPublished('agent1')).toBe(false)
    })

    it("waitForMessages returns the peer's reply and leaves a third agent's message queued", async () => {
      const [a1, a2, a3] = await team(namespace(), ['agent1', 'agent2', 'agent3'])
      await a3!.send('agent1', 'from agent3, for later')
      const waiting = a1!.waitForMessages('agent2', 10_000)
      await sleep(150)
      const reply = await a2!.send('agent1', 'the reply')
      const started = Date.now()
      const replies = await waiting
      expect(Date.now() - started).toBeLessThan(5_000)
      expect(replies).toEqual([reply.message])
      expect(await a2!.deliveryState(reply.message.id)).toBe('read')
      expect(contents(await a1!.receive())).toEqual(['from agent3, for later'])
      expect(await a1!.receive()).toEqual([])
    })

    it('waitForMessages returns an already queued reply at once', async () => {
      const [a1, a2] = await team(namespace(), ['agent1', 'agent2'])
      await a2!.send('agent1', 'early reply')
      const started = Date.now()
      expect(contents(await a1!.waitForMessages('agent2', 10_000))).toEqual(['early reply'])
      expect(Date.now() - started).toBeLessThan(5_000)
    })

    it('waitForMessages times out with [] within its bound', async () => {
      const [a1, , a3] = await team(namespace(), ['agent1', 'agent2', 'agent3'])
      await a3!.send('agent1', 'not the awaited peer')
      const started = Date.now()
      expect(await a1!.waitForMessages('agent2', 400)).toEqual([])
      const elapsed = Date.now() - started
      expect(elapsed).toBeGreaterThanOrEqual(350)
      expect(elapsed).toBeLessThan(400 + 1_500)
      expect(contents(await a1!.receive())).toEqual(['not the awaited peer'])
    })

    it('waitForMessages returns [] soon after its signal aborts', async () => {
      const [a1] = await team(namespace(), ['agent1', 'agent2'])
      const controller = new AbortController()
      setTimeout(() => controller.abort(), 100)
      const started = Date.now()
      expect(await a1!.waitForMessages('agent2', 20_000, controller.signal)).toEqual([])
      expect(Date.now() - started).toBeLessThan(2_000)
    })

    it('the transcript lists every message once, in send order, read or not', async () => {
      const ns = namespace()
      const [a1, a2] = await team(ns, ['agent1', 'agent2'])
      const sent: BusMessage[] = []
      sent.push((await a1!.send('agent2', 'one')).message)
      sent.push((await a2!.send('agent1', 'two')).message)
      await a1!.receive()
      sent.push((await a1!.send('agent2', 'three')).message)
      await a2!.receive()
      sent.push((await a2!.send('agent1', 'four (never read)')).message)
      expect(await ready().transcript(ns)).toEqual(sent)
      expect(await ready().transcript(ns)).toEqual(sent)
    })

    it('clear removes every message, receipt and transcript entry of the namespace', async () => {
      const ns = namespace()
      const other = namespace()
      const [a1, a2] = await team(ns, ['agent1', 'agent2'])
      const [o1] = await team(other, ['agent1', 'agent2'])
      const read = await a1!.send('agent2', 'read before clear')
      await a2!.receive()
      await a1!.send('agent2', 'unread at clear')
      await o1!.send('agent2', 'in another namespace')
      await ready().clear(ns)
      expect(await ready().transcript(ns)).toEqual([])
      const [fresh1, fresh2] = await team(ns, ['agent1', 'agent2'])
      expect(await fresh2!.receive()).toEqual([])
      expect(await fresh1!.deliveryState(read.message.id)).toBeNull()
      expect(contents(await ready().transcript(other))).toEqual(['in another namespace'])
    })

    it('200 messages sent concurrently by two agents arrive exactly once, in per-sender order', async () => {
      const ns = namespace()
      const [a1, a2] = await team(ns, ['agent1', 'agent2'])
      const count = 100
      const sendAll = async (from: Mailbox, to: string) => {
        for (let i = 0; i < count; i++) await from.send(to, `${from.agentId}#${i}`)
      }
      const receiveAll = async (mailbox: Mailbox) => {
        const got: BusMessage[] = []
        const deadline = Date.now() + timeout - 5_000
        while (got.length < count && Date.now() < deadline) {
          got.push(...(await mailbox.receive()))
          if (got.length < count) await sleep(5)
        }
        return got
      }
      const [, , to2, to1] = await Promise.all([sendAll(a1!, 'agent2'), sendAll(a2!, 'agent1'), receiveAll(a2!), receiveAll(a1!)])
      const expected = (from: string) => Array.from({ length: count }, (_, i) => `${from}#${i}`)
      expect(contents(to2)).toEqual(expected('agent1'))
      expect(contents(to1)).toEqual(expected('agent2'))
      await sleep(200)
      expect(await a1!.receive()).toEqual([])
      expect(await a2!.receive()).toEqual([])
      const transcript = await ready().transcript(ns)
      expect(transcript).toHaveLength(2 * count)
      expect(new Set(transcript.map((m) => m.id)).size).toBe(2 * count)
      expect(contents(transcript.filter((m) => m.from === 'agent1'))).toEqual(expected('agent1'))
      expect(contents(transcript.filter((m) => m.from === 'agent2'))).toEqual(expected('agent2'))
    })

    it('contents arrive byte for byte: lines, quotes, unicode, control characters, 100 kB', async () => {
      const ns = namespace()
      const [a1, a2] = await team(ns, ['agent1', 'agent2'])
      for (const content of TRICKY_CONTENTS) await a1!.send('agent2', content)
      expect(contents(await a2!.receive())).toEqual(TRICKY_CONTENTS)
      expect(contents(await ready().transcript(ns))).toEqual(TRICKY_CONTENTS)
    })

    if (options.restart) {
      const restart = options.restart
      it('messages sent before, during and after a server restart arrive exactly once; the transcript lists each once', async () => {
        const ns = namespace()
        const [a1, a2] = await team(ns, ['agent1', 'agent2'])
        const sent: BusMessage[] = []
        const send = async (from: Mailbox, to: string, content: string) => {
          const { message } = await from.send(to, content)
          sent.push(message)
          return message
        }
        const readEarly = [await send(a1!, 'agent2', 'before 1 (read before the restart)'), await send(a1!, 'agent2', 'before 2 (read before the restart)')]
        expect(await a2!.receive()).toEqual(readEarly)
        await send(a1!, 'agent2', 'before 3')
        await send(a1!, 'agent2', 'before 4')
        await send(a2!, 'agent1', 'before, to agent1')

        const restarting = restart()
        await sleep(50)
        // During the outage: calls must not throw; sends are kept and delivered later.
        const during = Promise.all([send(a1!, 'agent2', 'during 1').then(() => send(a1!, 'agent2', 'during 2')), a1!.receive()])
        await restarting
        const [, receivedDuringOutage] = await during
        await send(a1!, 'agent2', 'after 1')
        await send(a2!, 'agent1', 'after, to agent1')
        await send(a1!, 'agent2', 'after 2')

        const deadline = Date.now() + timeout / 2
        const collect = async (mailbox: Mailbox, initial: BusMessage[], expected: number) => {
          const got = [...initial]
          while (got.length < expected && Date.now() < deadline) {
            got.push(...(await mailbox.receive()))
            if (got.length < expected) await sleep(50)
          }
          await sleep(300)
          got.push(...(await mailbox.receive()))
          return got
        }
        const [to2, to1] = await Promise.all([collect(a2!, [], 6), collect(a1!, receivedDuringOutage, 2)])
        expect(contents(to2)).toEqual(['before 3', 'before 4', 'during 1', 'during 2', 'after 1', 'after 2'])
        expect(contents(to1)).toEqual(['before, to agent1', 'after, to agent1'])
        for (const message of readEarly) expect(await a1!.deliveryState(message.id)).toBe('read')

        const transcript = await ready().transcript(ns)
        expect(transcript).toEqual(sent)
      })

      it('a reply awaited across a server restart is returned once', async () => {
        const [a1, a2] = await team(namespace(), ['agent1', 'agent2'])
        const reply = await a2!.send('agent1', 'sent just before the restart')
        const restarting = restart()
        await sleep(50)
        const waiting = a1!.waitForMessages('agent2', 15_000)
        await restarting
        expect(await waiting).toEqual([reply.message])
        await sleep(300)
        expect(await a1!.receive()).toEqual([])
      })
    }
  })
}

function contents(messages: readonly BusMessage[]): string[] {
  return messages.map((m) => m.content)
}
