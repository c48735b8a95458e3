import { describe, expect, it } from 'vitest'
import type { MessageBus, TaskList } from '@cooperbench/spec'
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

describe('supervisedBus: the task list a bus offers', () => {
  it('passes through, so a run can open the team task list of a bus that has one', async () => {
    const bus = supervisedBus(new MemoryBus(), 'memory', bounds)
    const list = await bus.openTaskList!('run-1')
    const task = await list.create('agent1', 'Implement feature 2', { assign: 'agent2' })
    expect(await list.claim(task.id, 'agent2')).toMatchObject({ outcome: 'claimed' })
    expect((await list.log()).map((e) => e.kind)).toEqual(['create', 'claim'])
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
    expect(supervisedBus(plain, 'plain', bounds).openTaskList).toBeUndefined()
  })

  it('a claim that hangs rejects with BACKEND_UNAVAILABLE naming the bus and the operation', async () => {
    const inner = new MemoryBus()
    const bus = supervisedBus(
      {
        specificationVersion: inner.specificationVersion,
        name: 'hanging',
        open: (n, a, p) => inner.open(n, a, p),
        transcript: (n) => inner.transcript(n),
        clear: (n) => inner.clear(n),
        openTaskList: async (n) => Object.assign(Object.create(await inner.openTaskList(n)) as TaskList, { claim: never }),
        close: () => inner.close(),
      },
      'hanging',
      bounds,
    )
    const list = await bus.openTaskList!('run-1')
    const task = await list.create('agent1', 'a task')
    const error = await list.claim(task.id, 'agent2').catch((e: unknown) => e)
    expect(isCooperbenchError(error) && error.code).toBe('BACKEND_UNAVAILABLE')
    expect((error as Error).message).toBe('bus hanging: task claim did not finish within 0 s')
  })
})
