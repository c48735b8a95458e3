import { randomBytes } from 'node:crypto'
import { isCooperbenchError, type MessageBus, type SharedLog } from '@cooperbench/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TRICKY_CONTENTS } from './bus.js'
import { skippedSuite } from './skip.js'

export interface SharedLogConformanceOptions {
  /** Creates the bus whose `openLog` is under test (once per suite; the suite closes it). */
  createBus(): Promise<MessageBus> | MessageBus
  /** Skip the whole suite with this reason (e.g. no redis-server and not CI). */
  skip?: string | false
  /** Handles appending at once in the concurrency test, and entries each appends. Default 8 × 10. */
  appenders?: number
  entries?: number
  /** Per-test timeout in ms. Default 30 000. */
  timeoutMs?: number
}

/**
 * Defines a vitest suite, `shared log conformance: <name>`, checking the shared logs a bus keeps
 * (`MessageBus.openLog`, docs/plugin-guide.md) against the contract a setting builds on (the team's
 * task list is a log of its events): a handle's first read gives every entry, later ones only what
 * is new; an append lands only when nothing was appended since the handle last read or appended (of
 * two racing appends exactly one, the other handle reading the winner's entries), and then counts
 * as read; handles appending at once, each retrying until it lands, lose and repeat nothing; `wait`
 * returns an entry appended while it waits, and [] on its timeout or an abort; entries round-trip
 * byte for byte; logs of other names and namespaces are apart; `clear(namespace)` deletes that
 * namespace's logs only, and a handle that had read entries of a cleared log rejects with
 * INFRA_FAILED (the store lost them) rather than read on from nothing. Every test uses a namespace
 * of its own.
 */
export function describeSharedLogConformance(name: string, options: SharedLogConformanceOptions): void {
  const title = `shared log conformance: ${name}`
  if (options.skip) {
    skippedSuite(title, options.skip)
    return
  }
  const timeout = options.timeoutMs ?? 30_000
  let bus: MessageBus | undefined
  const handles: SharedLog[] = []
  const namespaces: string[] = []
  const namespace = () => {
    const made = `conformance-${randomBytes(6).toString('hex')}`
    namespaces.push(made)
    return made
  }
  const open = async (ns: string, log = 'tasks'): Promise<SharedLog> => {
    if (!bus?.openLog) throw new Error(`${title}: the bus offers no openLog`)
    const handle = await bus.openLog(ns, log)
    handles.push(handle)
    return handle
  }
  const rejection = (promise: Promise<unknown>): Promise<unknown> =>
    promise.then(
      () => null,
      (error: unknown) => error,
    )

  describe(title, { timeout }, () => {
    beforeAll(async () => {
      bus = await options.createBus()
    })
    afterAll(async () => {
      for (const handle of handles) await handle.close().catch(() => {})
      for (const ns of namespaces) await bus?.clear(ns).catch(() => {})
      await bus?.close()
    })

    it('the bus opens logs (openLog)', () => {
      expect(typeof bus?.openLog).toBe('function')
    })

    it("a handle's first read gives every entry, oldest first; later reads only the new ones", async () => {
      const ns = namespace()
      const writer = await open(ns)
      expect(await writer.read()).toEqual([])
      expect(await writer.append(['one', 'two'])).toBe(true)
      expect(await writer.append(['three'])).toBe(true)
      const reader = await open(ns)
      expect(await reader.read()).toEqual(['one', 'two', 'three'])
      expect(await reader.read()).toEqual([])
      expect(await writer.append(['four', 'five'])).toBe(true)
      expect(await reader.read()).toEqual(['four', 'five'])
      expect(await reader.read()).toEqual([])
    })

    it("an append counts as read: the handle's next read does not give back what it appended", async () => {
      const ns = namespace()
      const handle = await open(ns)
      expect(await handle.append(['mine'])).toBe(true)
      expect(await handle.read()).toEqual([])
      expect(await handle.append(['mine too'])).toBe(true)
      expect(await (await open(ns)).read()).toEqual(['mine', 'mine too'])
    })

    it('an append lands only when nothing was appended since the handle last read or appended; false appends nothing', async () => {
      const ns = namespace()
      const first = await open(ns)
      const second = await open(ns)
      expect(await first.read()).toEqual([])
      expect(await second.read()).toEqual([])
      expect(await first.append(['first wins'])).toBe(true)
      expect(await second.append(['second, stale'])).toBe(false)
      expect(await second.read()).toEqual(['first wins'])
      expect(await second.append(['second, after reading'])).toBe(true)
      expect(await first.append(['first, stale now'])).toBe(false)
      // A handle that never read a log with entries is stale too.
      const fresh = await open(ns)
      expect(await fresh.append(['fresh, unread'])).toBe(false)
      expect(await (await open(ns)).read()).toEqual(['first wins', 'second, after reading'])
    })

    it('of two handles appending at once after reading the same log, exactly one lands; the other then reads its entries', async () => {
      const ns = namespace()
      for (let race = 0; race < 10; race++) {
        const [a, b] = [await open(ns), await open(ns)]
        const before = await a.read()
        expect(await b.read()).toEqual(before)
        const outcomes = await Promise.all([a.append([`a${race}-1`, `a${race}-2`]), b.append([`b${race}-1`, `b${race}-2`])])
        expect(outcomes.filter(Boolean), `race ${race}`).toHaveLength(1)
        const [winner, loser] = outcomes[0] ? (['a', b] as const) : (['b', a] as const)
        expect(await loser.read(), `race ${race}`).toEqual([`${winner}${race}-1`, `${winner}${race}-2`])
      }
    })

    it('handles appending at once, each retrying until it lands, lose and repeat nothing', async () => {
      const ns = namespace()
      const appenders = options.appenders ?? 8
      const count = options.entries ?? 10
      const all = await Promise.all(Array.from({ length: appenders }, () => open(ns)))
      let refused = 0
      await Promise.all(
        all.map(async (handle, h) => {
          for (let n = 0; n < count; n++) {
            for (;;) {
              await handle.read()
              if (await handle.append([`h${h}-e${n}`])) break
              refused += 1
            }
          }
        }),
      )
      const entries = await (await open(ns)).read()
      expect(entries).toHaveLength(appenders * count)
      expect(new Set(entries).size).toBe(appenders * count)
      // Each handle's entries in the order it appended them.
      for (let h = 0; h < appenders; h++) {
        expect(entries.filter((e) => e.startsWith(`h${h}-`))).toEqual(Array.from({ length: count }, (_, n) => `h${h}-e${n}`))
      }
      // Not a proof of atomicity, but appends that never collide would test nothing.
      if (appenders > 1) expect(refused).toBeGreaterThan(0)
    })

    it('wait returns an entry appended while it waits, and at once when there are unread entries', async () => {
      const ns = namespace()
      const waiter = await open(ns)
      const writer = await open(ns)
      const started = Date.now()
      const waiting = waiter.wait(20_000)
      await new Promise((resolve) => setTimeout(resolve, 100))
      expect(await writer.append(['while waiting'])).toBe(true)
      expect(await waiting).toEqual(['while waiting'])
      expect(Date.now() - started).toBeLessThan(10_000)
      expect(await writer.append(['already there'])).toBe(true)
      const quick = Date.now()
      expect(await waiter.wait(20_000)).toEqual(['already there'])
      expect(Date.now() - quick).toBeLessThan(5_000)
    })

    it('wait gives [] when nothing comes before its timeout, and what comes later is still read', async () => {
      const ns = namespace()
      const waiter = await open(ns)
      const started = Date.now()
      expect(await waiter.wait(300)).toEqual([])
      expect(Date.now() - started).toBeGreaterThanOrEqual(250)
      expect(await (await open(ns)).append(['later'])).toBe(true)
      expect(await waiter.read()).toEqual(['later'])
    })

    it('an aborted wait gives [] at once, also when aborted before it starts; nothing is lost to it', async () => {
      const ns = namespace()
      const waiter = await open(ns)
      const controller = new AbortController()
      const waiting = waiter.wait(60_000, controller.signal)
      await new Promise((resolve) => setTimeout(resolve, 100))
      const aborted = Date.now()
      controller.abort()
      expect(await waiting).toEqual([])
      expect(Date.now() - aborted).toBeLessThan(5_000)
      expect(await waiter.wait(60_000, AbortSignal.abort())).toEqual([])
      expect(await (await open(ns)).append(['after the abort'])).toBe(true)
      expect(await waiter.wait(20_000)).toEqual(['after the abort'])
    })

    it('entries round-trip byte for byte: quotes, backslashes, newlines, tabs, NUL, unicode, emoji, JSON, 100 000 characters', async () => {
      const ns = namespace()
      const entries = [...TRICKY_CONTENTS, ...TRICKY_CONTENTS.map((text) => JSON.stringify({ text }))]
      const writer = await open(ns)
      expect(await writer.append(entries)).toBe(true)
      expect(await (await open(ns)).read()).toEqual(entries)
    })

    it('logs of other names and namespaces are apart', async () => {
      const [ns, other] = [namespace(), namespace()]
      const tasks = await open(ns, 'tasks')
      const notes = await open(ns, 'notes')
      const elsewhere = await open(other, 'tasks')
      expect(await tasks.append(['a task'])).toBe(true)
      // Appends to other logs neither show here nor make this handle stale.
      expect(await notes.append(['a note'])).toBe(true)
      expect(await elsewhere.append(['elsewhere'])).toBe(true)
      expect(await tasks.read()).toEqual([])
      expect(await tasks.append(['another task'])).toBe(true)
      expect(await (await open(ns, 'tasks')).read()).toEqual(['a task', 'another task'])
      expect(await (await open(ns, 'notes')).read()).toEqual(['a note'])
      expect(await (await open(other, 'tasks')).read()).toEqual(['elsewhere'])
    })

    it('clear(namespace) deletes every log of that namespace and no other', async () => {
      const [ns, other] = [namespace(), namespace()]
      for (const [space, log] of [
        [ns, 'tasks'],
        [ns, 'notes'],
        [other, 'tasks'],
      ] as const) {
        expect(await (await open(space, log)).append([`${log} of ${space}`])).toBe(true)
      }
      await bus!.clear(ns)
      expect(await (await open(ns, 'tasks')).read()).toEqual([])
      expect(await (await open(ns, 'notes')).read()).toEqual([])
      expect(await (await open(other, 'tasks')).read()).toEqual([`tasks of ${other}`])
    })

    it('a handle that read entries of a log since cleared rejects with INFRA_FAILED (its entries are lost); one that read none reads on', async () => {
      const ns = namespace()
      const reader = await open(ns)
      const idle = await open(ns)
      expect(await reader.append(['gone soon'])).toBe(true)
      await bus!.clear(ns)
      for (const [call, attempt] of [
        ['read', () => reader.read()],
        ['append', () => reader.append(['on nothing'])],
        ['wait', () => reader.wait(200)],
      ] as const) {
        const error = await rejection(attempt())
        expect(isCooperbenchError(error) ? error.code : error, call).toBe('INFRA_FAILED')
      }
      expect(await idle.read()).toEqual([])
      expect(await idle.append(['a new start'])).toBe(true)
    })

    it('close frees the handle, twice over; the entries stay', async () => {
      const ns = namespace()
      const handle = await open(ns)
      expect(await handle.append(['kept'])).toBe(true)
      await handle.close()
      await handle.close()
      expect(await (await open(ns)).read()).toEqual(['kept'])
    })
  })
}
