import { describe, expect, it } from 'vitest'
import type { MessageBus } from '@cooperbench/spec'
import { MemoryBus } from '@cooperbench/builtins'
import { isCooperbenchError } from '@cooperbench/spec'
import { supervisedBus } from '../../src/runner/supervised-bus.js'

const never = <T>(): Promise<T> => new Promise<T>(() => {})
const bounds = { operationMs: 50, graceMs: 20 }

/** A memory bus whose mailboxes' `receive` and the bus's `transcript` never answer. */
function hangingBus(): MessageBus {
  const inner = new MemoryBus()
  return {
    specificationVersion: inner.specificationVersion,
    name: 'hanging',
    open: async (namespace, agentId, peers) => ({
      ...(await inner.open(namespace, agentId, peers)),
      receive: never,
      send: (to, content) => inner.open(namespace, agentId, peers).then((m) => m.send(to, content)),
    }),
    transcript: never,
    clear: (namespace) => inner.clear(namespace),
    close: () => inner.close(),
  }
}

describe('supervisedBus: a bus that stops answering fails the operation, naming the bus', () => {
  it('passes answers through unchanged', async () => {
    const bus = supervisedBus(new MemoryBus(), 'memory', bounds)
    const a = await bus.open('n', 'agent1', ['agent2'])
    const b = await bus.open('n', 'agent2', ['agent1'])
    await a.send('agent2', 'hello')
    expect((await b.receive()).map((m) => m.content)).toEqual(['hello'])
    expect((await bus.transcript('n')).map((m) => [m.from, m.to])).toEqual([['agent1', 'agent2']])
  })

  it("passes the optional liveness methods through (the reference mode's 0.0.22 messaging and 0.0.27 BLOCKED marker read them)", async () => {
    const bus = supervisedBus(new MemoryBus(), 'memory', bounds)
    const a = await bus.open('n', 'agent1', ['agent2'])
    const b = await bus.open('n', 'agent2', ['agent1'])
    await a.markAwaiting!('agent2', 10_000)
    expect(await b.isAwaitedBy!('agent1')).toBe(true)
    expect(await a.hasFinished!('agent2')).toBe(false)
    await b.finish()
    expect(await a.hasFinished!('agent2')).toBe(true)
  })

  it('a hanging receive or transcript rejects with BACKEND_UNAVAILABLE after its bound plus grace', async () => {
    const bus = supervisedBus(hangingBus(), 'hanging', bounds)
    const box = await bus.open('n', 'agent1', ['agent2'])
    const started = Date.now()
    const error = await box.receive().catch((e: unknown) => e)
    expect(isCooperbenchError(error) && error.code).toBe('BACKEND_UNAVAILABLE')
    expect((error as Error).message).toBe('bus hanging: receive did not finish within 0 s')
    expect(Date.now() - started).toBeLessThan(20_000)
    await expect(bus.transcript('n')).rejects.toThrow('bus hanging: transcript did not finish')
  })

  it("a reply wait is bounded by its own timeout plus the operation's bound, and still ends at once on its caller's abort", async () => {
    const inner = new MemoryBus()
    const bus = supervisedBus(
      {
        ...inner,
        specificationVersion: inner.specificationVersion,
        name: 'slow',
        open: async (ns, id, peers) => ({ ...(await inner.open(ns, id, peers)), waitForMessages: never }),
        transcript: (ns) => inner.transcript(ns),
        clear: (ns) => inner.clear(ns),
        close: () => inner.close(),
      },
      'slow',
      bounds,
    )
    const box = await bus.open('n', 'agent1', ['agent2'])
    const started = Date.now()
    await expect(box.waitForMessages('agent2', 100, undefined)).rejects.toThrow('bus slow: waitForMessages did not finish')
    expect(Date.now() - started).toBeGreaterThanOrEqual(140)
    const controller = new AbortController()
    const waiting = box.waitForMessages('agent2', 60_000, controller.signal).catch((e: unknown) => e)
    controller.abort(new Error('interrupted'))
    expect(await waiting).toMatchObject({ message: 'interrupted' })
  })
})

describe('supervisedBus: the shared logs a bus offers', () => {
  it('passes through, so a run can open a log of a bus that has them', async () => {
    const bus = supervisedBus(new MemoryBus(), 'memory', bounds)
    const [first, second] = [await bus.openLog!('run-1', 'tasks'), await bus.openLog!('run-1', 'tasks')]
    expect(await first.append(['a'])).toBe(true)
    expect(await second.append(['b'])).toBe(false)
    expect(await second.read()).toEqual(['a'])
    expect(await second.append(['b'])).toBe(true)
  })

  it('is absent when the bus has none', () => {
    const inner = new MemoryBus()
    const plain: MessageBus = {
      specificationVersion: inner.specificationVersion,
      name: 'plain',
      open: (n, a, p) => inner.open(n, a, p),
      transcript: (n) => inner.transcript(n),
      clear: (n) => inner.clear(n),
      close: () => inner.close(),
    }
    expect(supervisedBus(plain, 'plain', bounds).openLog).toBeUndefined()
  })

  it('an append that hangs rejects with BACKEND_UNAVAILABLE naming the bus and the operation', async () => {
    const inner = new MemoryBus()
    const bus = supervisedBus(
      {
        specificationVersion: inner.specificationVersion,
        name: 'hanging',
        open: (n, a, p) => inner.open(n, a, p),
        transcript: (n) => inner.transcript(n),
        clear: (n) => inner.clear(n),
        openLog: async (n, name) => ({ ...(await inner.openLog(n, name)), append: never }),
        close: () => inner.close(),
      },
      'hanging',
      bounds,
    )
    const log = await bus.openLog!('run-1', 'tasks')
    const error = await log.append(['an entry']).catch((e: unknown) => e)
    expect(isCooperbenchError(error) && error.code).toBe('BACKEND_UNAVAILABLE')
    expect((error as Error).message).toBe('bus hanging: log append did not finish within 0 s')
  })
})
