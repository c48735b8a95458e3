import { randomBytes } from 'node:crypto'
import { isCooperbenchError, type MessageBus, type TaskList } from '@cooperbench/core'
import type { TeamTaskStatus } from '@cooperbench/spec/team'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { skippedSuite } from './skip.js'

export interface TaskListConformanceOptions {
  /** Creates the bus whose `openTaskList` is under test (once per suite; the suite closes it). */
  createBus(): Promise<MessageBus> | MessageBus
  /** Skip the whole suite with this reason (e.g. no redis-server and not CI). */
  skip?: string | false
  /** Concurrent claimers per race and races in the atomic-claim test. Default 8 × 20. */
  claimers?: number
  races?: number
  /** Per-test timeout in ms. Default 30 000. */
  timeoutMs?: number
}

/**
 * Defines a vitest suite, `task list conformance: <name>`, checking the `TaskList` a bus opens
 * (`MessageBus.openTaskList`, docs/plugin-guide.md#task-list) against the contract the team setting
 * relies on: create (open, unowned or pre-assigned, ten-hex ids), claim (atomic: one winner per
 * race, the others told who won; a pre-assigned agent claims its task; missing tasks), update
 * (owner only, status checked after ownership, notes), list (filters, id order), get, the audit
 * log (every change once, in order, with agent and time), handles sharing a namespace, namespace
 * isolation, clear, and rejections with code USAGE; and the typed protocol (request, pending,
 * respond once and by the addressee only, awaitResponse that times out, is answered, keeps the
 * response, and aborts). Every test uses a namespace of its own.
 */
export function describeTaskListConformance(name: string, options: TaskListConformanceOptions): void {
  const title = `task list conformance: ${name}`
  if (options.skip) {
    skippedSuite(title, options.skip)
    return
  }
  const timeout = options.timeoutMs ?? 30_000
  let bus: MessageBus | undefined
  const lists: TaskList[] = []
  const open = async (namespace = `conformance-${randomBytes(6).toString('hex')}`): Promise<TaskList> => {
    if (!bus?.openTaskList) throw new Error(`${title}: the bus offers no openTaskList`)
    const list = await bus.openTaskList(namespace)
    lists.push(list)
    return list
  }

  describe(title, { timeout }, () => {
    beforeAll(async () => {
      bus = await options.createBus()
    })
    afterAll(async () => {
      for (const list of lists) await list.clear().catch(() => {})
      for (const list of lists) await list.close().catch(() => {})
      await bus?.close()
    })

    it("specificationVersion is 'task-list-v1' and the namespace is the one opened", async () => {
      const list = await open('conformance-named')
      expect(list.specificationVersion).toBe('task-list-v1')
      expect(list.namespace).toBe('conformance-named')
    })

    it('create makes an open task with the reference fields; pre-assigned tasks keep their owner and stay open', async () => {
      const list = await open()
      const before = Date.now() / 1000
      const task = await list.create('agent1', 'Implement feature 2', { metadata: { feature: 2, tags: ['a'] } })
      expect(task).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{10}$/),
        title: 'Implement feature 2',
        owner: '',
        status: 'open',
        created_by: 'agent1',
        created_at: expect.any(Number),
        last_note: '',
        metadata: { feature: 2, tags: ['a'] },
      })
      expect(task.created_at).toBeGreaterThanOrEqual(before - 1)
      expect(task.created_at).toBeLessThanOrEqual(Date.now() / 1000 + 1)
      const assigned = await list.create('agent1', 'Integrate and submit', { assign: 'agent2' })
      expect(assigned).toMatchObject({ owner: 'agent2', status: 'open' })
      expect(assigned.id).not.toBe(task.id)
      expect(await list.get(task.id)).toEqual(task)
    })

    it('titles, notes and metadata round-trip byte for byte', async () => {
      const list = await open()
      const tricky = `quotes "double" 'single', a \\backslash, newline\nand tab\t, unicode héllo 中文 🤝, json {"a":1}`
      const task = await list.create('agent1', tricky, { metadata: { nested: { text: tricky } } })
      expect((await list.get(task.id))?.title).toBe(tricky)
      expect((await list.get(task.id))?.metadata).toEqual({ nested: { text: tricky } })
      await list.claim(task.id, 'agent1')
      await list.update(task.id, 'agent1', 'blocked', tricky)
      expect((await list.get(task.id))?.last_note).toBe(tricky)
    })

    it('claim takes an unowned task: owner set, status in_progress', async () => {
      const list = await open()
      const task = await list.create('agent1', 'a task')
      const claim = await list.claim(task.id, 'agent2')
      expect(claim).toEqual({ outcome: 'claimed', task: { ...task, owner: 'agent2', status: 'in_progress' } })
      expect(await list.get(task.id)).toEqual(claim.outcome === 'claimed' ? claim.task : null)
    })

    it('a claim of a task someone else owns is refused, naming the owner, and changes nothing', async () => {
      const list = await open()
      const task = await list.create('agent1', 'a task')
      await list.claim(task.id, 'agent2')
      const second = await list.claim(task.id, 'agent3')
      expect(second).toMatchObject({ outcome: 'owned', owner: 'agent2' })
      expect(await list.get(task.id)).toMatchObject({ owner: 'agent2', status: 'in_progress' })
      expect((await list.log()).filter((e) => e.kind === 'claim')).toHaveLength(1)
    })

    it('a pre-assigned agent claims its task; others cannot', async () => {
      const list = await open()
      const task = await list.create('agent1', 'Implement feature 2', { assign: 'agent2' })
      expect(await list.claim(task.id, 'agent3')).toMatchObject({ outcome: 'owned', owner: 'agent2' })
      expect(await list.claim(task.id, 'agent2')).toMatchObject({ outcome: 'claimed', task: { owner: 'agent2', status: 'in_progress' } })
    })

    it('claiming a task one already holds in progress changes nothing and logs nothing', async () => {
      const list = await open()
      const task = await list.create('agent1', 'a task')
      await list.claim(task.id, 'agent2')
      expect(await list.claim(task.id, 'agent2')).toMatchObject({ outcome: 'claimed' })
      expect((await list.log()).map((e) => e.kind)).toEqual(['create', 'claim'])
    })

    it('a claim of a task that does not exist says so', async () => {
      const list = await open()
      expect(await list.claim('0000000000', 'agent1')).toEqual({ outcome: 'missing', taskId: '0000000000' })
    })

    it(`claims are atomic: of ${options.claimers ?? 8} concurrent claimers exactly one wins, ${options.races ?? 20} races in a row`, async () => {
      const claimers = options.claimers ?? 8
      const races = options.races ?? 20
      // One handle per claimer, as agents in different sandboxes would have.
      const first = await open()
      const handles = [first, ...(await Promise.all(Array.from({ length: claimers - 1 }, () => open(first.namespace))))]
      for (let race = 0; race < races; race++) {
        const task = await first.create('agent1', `race ${race}`)
        const outcomes = await Promise.all(handles.map((h, i) => h.claim(task.id, `agent${i + 1}`)))
        const winners = outcomes.flatMap((o, i) => (o.outcome === 'claimed' ? [`agent${i + 1}`] : []))
        expect(winners).toHaveLength(1)
        for (const o of outcomes) if (o.outcome === 'owned') expect(o.owner).toBe(winners[0])
        expect(await first.get(task.id)).toMatchObject({ owner: winners[0], status: 'in_progress' })
        const claims = (await first.log()).filter((e) => e.kind === 'claim' && e.task_id === task.id)
        expect(claims).toEqual([{ kind: 'claim', task_id: task.id, by: winners[0], ts: expect.any(Number) }])
      }
    })

    it('update: only the owner, every status, note kept until replaced', async () => {
      const list = await open()
      const task = await list.create('agent1', 'a task')
      expect(await list.update(task.id, 'agent2', 'done')).toEqual({ outcome: 'not-owner', owner: '', task })
      await list.claim(task.id, 'agent2')
      expect(await list.update(task.id, 'agent3', 'done')).toMatchObject({ outcome: 'not-owner', owner: 'agent2' })
      for (const status of ['blocked', 'open', 'in_progress'] as TeamTaskStatus[]) {
        expect(await list.update(task.id, 'agent2', status)).toMatchObject({ outcome: 'updated', task: { status, last_note: '' } })
      }
      expect(await list.update(task.id, 'agent2', 'blocked', 'need the API')).toMatchObject({ task: { status: 'blocked', last_note: 'need the API' } })
      expect(await list.update(task.id, 'agent2', 'done')).toMatchObject({ task: { status: 'done', last_note: 'need the API' } })
      expect(await list.update('0000000000', 'agent2', 'done')).toEqual({ outcome: 'missing', taskId: '0000000000' })
    })

    it('update checks existence, then ownership, then the status (the reference order)', async () => {
      const list = await open()
      const task = await list.create('agent1', 'a task', { assign: 'agent2' })
      const bogus = 'finished' as TeamTaskStatus
      expect(await list.update('0000000000', 'agent2', bogus)).toMatchObject({ outcome: 'missing' })
      expect(await list.update(task.id, 'agent3', bogus)).toMatchObject({ outcome: 'not-owner', owner: 'agent2' })
      expect(await list.update(task.id, 'agent2', bogus)).toEqual({ outcome: 'invalid-status', status: 'finished' })
      expect(await list.get(task.id)).toMatchObject({ status: 'open' })
    })

    it('list filters by owner and status and orders by id; get of an unknown id is null', async () => {
      const list = await open()
      const made = []
      for (const n of [1, 2, 3, 4, 5]) made.push(await list.create('agent1', `task ${n}`))
      await list.claim(made[0]!.id, 'agent2')
      await list.claim(made[1]!.id, 'agent3')
      await list.update(made[1]!.id, 'agent3', 'done')
      const ids = made.map((t) => t.id).sort()
      expect((await list.list()).map((t) => t.id)).toEqual(ids)
      expect((await list.list({ owner: 'agent2' })).map((t) => t.id)).toEqual([made[0]!.id])
      expect((await list.list({ status: 'open' })).map((t) => t.id)).toEqual(
        made
          .slice(2)
          .map((t) => t.id)
          .sort(),
      )
      expect((await list.list({ owner: 'agent3', status: 'done' })).map((t) => t.id)).toEqual([made[1]!.id])
      expect(await list.get('0000000000')).toBeNull()
    })

    it('the log records every change once, in order, with agent, time and fields', async () => {
      const list = await open()
      const a = await list.create('agent1', 'first', { assign: 'agent2' })
      const b = await list.create('agent2', 'second')
      await list.claim(a.id, 'agent2')
      await list.claim(b.id, 'agent3')
      await list.claim(b.id, 'agent1') // refused: not logged
      await list.update(a.id, 'agent2', 'blocked', 'waiting')
      await list.update(a.id, 'agent3', 'done') // refused: not logged
      await list.update(a.id, 'agent2', 'done')
      const log = await list.log()
      expect(log).toEqual([
        { kind: 'create', task_id: a.id, by: 'agent1', title: 'first', owner: 'agent2', ts: expect.any(Number) },
        { kind: 'create', task_id: b.id, by: 'agent2', title: 'second', ts: expect.any(Number) },
        { kind: 'claim', task_id: a.id, by: 'agent2', ts: expect.any(Number) },
        { kind: 'claim', task_id: b.id, by: 'agent3', ts: expect.any(Number) },
        { kind: 'update', task_id: a.id, by: 'agent2', status: 'blocked', note: 'waiting', ts: expect.any(Number) },
        { kind: 'update', task_id: a.id, by: 'agent2', status: 'done', ts: expect.any(Number) },
      ])
      const times = log.map((e) => e.ts)
      expect(times).toEqual([...times].sort((x, y) => x - y))
      expect(log[0]!.ts).toBe(a.created_at)
    })

    it('handles on one namespace share the list; namespaces are isolated', async () => {
      const one = await open()
      const same = await open(one.namespace)
      const other = await open()
      const task = await one.create('agent1', 'shared')
      expect(await same.get(task.id)).toEqual(task)
      expect(await other.list()).toEqual([])
      expect(await other.log()).toEqual([])
      expect(await other.claim(task.id, 'agent2')).toMatchObject({ outcome: 'missing' })
    })

    it('clear deletes the tasks and the log of its namespace only', async () => {
      const one = await open()
      const other = await open()
      await one.create('agent1', 'gone')
      const kept = await other.create('agent1', 'kept')
      await one.clear()
      expect(await one.list()).toEqual([])
      expect(await one.log()).toEqual([])
      expect(await other.list()).toEqual([kept])
    })

    it('an empty title or creator is refused with code USAGE', async () => {
      const list = await open()
      for (const [by, what] of [
        ['agent1', '  '],
        ['', 'a task'],
      ] as const) {
        const error = await list.create(by, what).then(
          () => null,
          (e: unknown) => e,
        )
        expect(isCooperbenchError(error) && error.code).toBe('USAGE')
      }
      expect(await list.list()).toEqual([])
    })

    it('protocol: a request is pending for its addressee only, in id order, with the reference fields, and logged', async () => {
      const list = await open()
      const handle = await open(list.namespace)
      const first = await list.request('agent1', 'agent2', 'question', 'which file holds the parser?')
      const second = await list.request('agent3', 'agent2', 'review', '')
      await list.request('agent2', 'agent1', 'question', 'and you?')
      expect(first).toMatchObject({ from: 'agent1', to: 'agent2', kind: 'question', body: 'which file holds the parser?' })
      expect(first.id).toMatch(/^[0-9a-f]{10}$/)
      expect(typeof first.ts).toBe('number')
      // Another handle on the namespace (another sandbox's server) sees the same requests.
      expect(await handle.pending('agent2')).toEqual([first, second].sort((a, b) => (a.id < b.id ? -1 : 1)))
      expect((await handle.pending('agent1')).map((r) => r.body)).toEqual(['and you?'])
      expect(await handle.pending('agent4')).toEqual([])
      const events = (await list.log()).filter((e) => e.kind === 'request')
      expect(events[0]).toEqual({
        kind: 'request',
        request_id: first.id,
        by: 'agent1',
        to: 'agent2',
        request_kind: 'question',
        body: 'which file holds the parser?',
        ts: first.ts,
      })
    })

    it('protocol: respond answers once, as the addressee only; unknown ids and second answers are refused', async () => {
      const list = await open()
      const request = await list.request('agent1', 'agent2', 'question', 'ready?')
      expect(await list.respond(request.id, 'agent3', 'not mine')).toEqual({ outcome: 'not-addressed', to: 'agent2' })
      expect(await list.respond('0123456789', 'agent2', 'what?')).toEqual({ outcome: 'unknown', requestId: '0123456789' })
      const answered = await list.respond(request.id, 'agent2', 'yes')
      expect(answered).toMatchObject({ outcome: 'responded', response: { id: request.id, from: 'agent2', to: 'agent1', body: 'yes' } })
      expect(await list.respond(request.id, 'agent2', 'again')).toEqual({ outcome: 'unknown', requestId: request.id })
      expect(await list.pending('agent2')).toEqual([])
      const log = await list.log()
      expect(log.map((e) => e.kind)).toEqual(['request', 'response'])
      expect(log[1]).toMatchObject({ kind: 'response', request_id: request.id, by: 'agent2', to: 'agent1', body: 'yes' })
    })

    it('protocol: of concurrent responses to one request exactly one is recorded', async () => {
      const list = await open()
      const request = await list.request('agent1', 'agent2', 'question', 'race')
      const handles = await Promise.all(Array.from({ length: 6 }, () => open(list.namespace)))
      const outcomes = await Promise.all(handles.map((h, i) => h.respond(request.id, 'agent2', `answer ${i}`)))
      expect(outcomes.filter((o) => o.outcome === 'responded')).toHaveLength(1)
      expect((await list.log()).filter((e) => e.kind === 'response')).toHaveLength(1)
    })

    it('protocol: awaitResponse times out with null, returns a response that comes during the wait, and keeps it for later calls', async () => {
      const list = await open()
      const responder = await open(list.namespace)
      const request = await list.request('agent1', 'agent2', 'question', 'wait for me')
      expect(await list.awaitResponse(request.id, 100)).toBeNull()
      const waiting = list.awaitResponse(request.id, 20_000)
      await new Promise((resolve) => setTimeout(resolve, 50))
      await responder.respond(request.id, 'agent2', 'here')
      const response = await waiting
      expect(response).toMatchObject({ id: request.id, from: 'agent2', to: 'agent1', body: 'here' })
      expect(await list.awaitResponse(request.id, 0)).toEqual(response)
      expect(await responder.awaitResponse(request.id, 10)).toEqual(response)
    })

    it('protocol: an aborted wait ends with null; unknown ids wait for nothing', async () => {
      const list = await open()
      const request = await list.request('agent1', 'agent2', 'question', 'abort me')
      const controller = new AbortController()
      const waiting = list.awaitResponse(request.id, 60_000, controller.signal)
      controller.abort()
      expect(await waiting).toBeNull()
      expect(await list.awaitResponse('ffffffffff', 10)).toBeNull()
    })

    it('protocol: clear deletes requests and responses; a request needs both agents (USAGE)', async () => {
      const list = await open()
      const open1 = await list.request('agent1', 'agent2', 'q', 'open')
      const done = await list.request('agent1', 'agent2', 'q', 'answered')
      await list.respond(done.id, 'agent2', 'ok')
      await list.clear()
      expect(await list.pending('agent2')).toEqual([])
      expect(await list.awaitResponse(done.id, 0)).toBeNull()
      expect(await list.respond(open1.id, 'agent2', 'late')).toMatchObject({ outcome: 'unknown' })
      for (const [by, to] of [
        ['', 'agent2'],
        ['agent1', ''],
      ] as const) {
        const error = await list.request(by, to, 'q', 'b').then(
          () => null,
          (e: unknown) => e,
        )
        expect(isCooperbenchError(error) && error.code).toBe('USAGE')
      }
    })
  })
}
