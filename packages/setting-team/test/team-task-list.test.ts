/**
 * The team's task list (`TeamTaskList`, a replay of its events in a shared log) against what the team's commands, seeding,
 * mirror and metrics rely on: create, claim (atomic: one winner per race, the others told who won), update (owner only, the
 * reference's order of checks), list and get, the audit log, and the typed protocol (request, pending, respond once, awaitResponse).
 * Over the in-process logs (`MemoryLogs`, the memory bus's); the same list over Redis streams races in packages/bus-redis. Each
 * behaviour as a pair has it (one list answering every seat's commands) and as lists on handles of their own.
 */
import { isCooperbenchError } from '@cooperbench/spec'
import { MemoryLogs } from '@cooperbench/spec-utils'
import { describe, expect, it } from 'vitest'
import { TeamTaskList } from '../src/task-list/team-task-list.js'
import type { TeamTaskStatus } from '../src/task-list/task-types.js'

let count = 0
/** A fresh log: `lists(n)` gives each of n agents its list on it, the same one (`shared`) or one each. */
function freshLog(shared: boolean) {
  const logs = new MemoryLogs()
  const namespace = `team:test-${++count}`
  const open = () => new TeamTaskList(logs.open(namespace, 'tasks'), async () => logs.open(namespace, 'tasks'))
  const one = open()
  return {
    logs,
    namespace,
    list: one,
    lists: (n: number) => Array.from({ length: n }, () => (shared ? one : open())),
    /** A list on its own handle that reads the log afresh. */
    reader: open,
  }
}

const rejection = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => null,
    (error: unknown) => error,
  )

for (const shared of [true, false]) {
  describe(shared ? 'one list answering every agent (a pair has one)' : 'lists on handles of their own', () => {
    it('create makes an open task with the reference fields; pre-assigned tasks keep their owner and stay open', async () => {
      const { list, reader } = freshLog(shared)
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
      expect(await reader().get(task.id)).toEqual(task)
    })

    it('titles, notes and metadata round-trip byte for byte', async () => {
      const { list, reader } = freshLog(shared)
      const tricky = `quotes "double" 'single', a \\backslash, newline\nand tab\t, nul \u0000, unicode héllo 中文 🤝, json {"a":1}`
      const task = await list.create('agent1', tricky, { metadata: { nested: { text: tricky } } })
      await list.claim(task.id, 'agent1')
      await list.update(task.id, 'agent1', 'blocked', tricky)
      expect(await reader().get(task.id)).toMatchObject({ title: tricky, metadata: { nested: { text: tricky } }, last_note: tricky })
    })

    it('claim takes an unowned task: owner set, status in_progress', async () => {
      const { list } = freshLog(shared)
      const task = await list.create('agent1', 'a task')
      const claim = await list.claim(task.id, 'agent2')
      expect(claim).toEqual({ outcome: 'claimed', task: { ...task, owner: 'agent2', status: 'in_progress' } })
      expect(await list.get(task.id)).toEqual(claim.outcome === 'claimed' ? claim.task : null)
    })

    it('a claim of a task someone else owns is refused, naming the owner, and changes nothing', async () => {
      const { lists } = freshLog(shared)
      const [one, two] = lists(2)
      const task = await one!.create('agent1', 'a task')
      await one!.claim(task.id, 'agent2')
      expect(await two!.claim(task.id, 'agent3')).toMatchObject({ outcome: 'owned', owner: 'agent2' })
      expect(await two!.get(task.id)).toMatchObject({ owner: 'agent2', status: 'in_progress' })
      expect((await one!.log()).filter((e) => e.kind === 'claim')).toHaveLength(1)
    })

    it('a pre-assigned agent claims its task; others cannot', async () => {
      const { list } = freshLog(shared)
      const task = await list.create('agent1', 'Implement feature 2', { assign: 'agent2' })
      expect(await list.claim(task.id, 'agent3')).toMatchObject({ outcome: 'owned', owner: 'agent2' })
      expect(await list.claim(task.id, 'agent2')).toMatchObject({ outcome: 'claimed', task: { owner: 'agent2', status: 'in_progress' } })
    })

    it('claiming a task one already holds in progress changes nothing and logs nothing; a missing task says so', async () => {
      const { list } = freshLog(shared)
      const task = await list.create('agent1', 'a task')
      await list.claim(task.id, 'agent2')
      expect(await list.claim(task.id, 'agent2')).toMatchObject({ outcome: 'claimed' })
      expect((await list.log()).map((e) => e.kind)).toEqual(['create', 'claim'])
      expect(await list.claim('0000000000', 'agent1')).toEqual({ outcome: 'missing', taskId: '0000000000' })
    })

    it('claims are atomic: of 8 agents claiming at once exactly one wins, 20 races in a row, one claim logged each', async () => {
      const { list, lists } = freshLog(shared)
      const agents = lists(8)
      for (let race = 0; race < 20; race++) {
        const task = await list.create('bench-runner', `race ${race}`)
        const outcomes = await Promise.all(agents.map((a, i) => a.claim(task.id, `agent${i + 1}`)))
        const winners = outcomes.flatMap((o, i) => (o.outcome === 'claimed' ? [`agent${i + 1}`] : []))
        expect(winners, `race ${race}`).toHaveLength(1)
        for (const o of outcomes) if (o.outcome === 'owned') expect(o.owner).toBe(winners[0])
        expect(await list.get(task.id)).toMatchObject({ owner: winners[0], status: 'in_progress' })
        const claims = (await list.log()).filter((e) => e.kind === 'claim' && e.task_id === task.id)
        expect(claims).toEqual([{ kind: 'claim', task_id: task.id, by: winners[0], ts: expect.any(Number) }])
      }
    })

    it('agents changing different tasks at once lose no change', async () => {
      const { list, lists, reader } = freshLog(shared)
      const agents = lists(6)
      const tasks = await Promise.all(agents.map((a, i) => a.create('bench-runner', `task ${i}`, { assign: `agent${i + 1}` })))
      await Promise.all(agents.map((a, i) => a.claim(tasks[i]!.id, `agent${i + 1}`)))
      await Promise.all(agents.map((a, i) => a.update(tasks[i]!.id, `agent${i + 1}`, 'done', `note ${i}`)))
      expect((await reader().list()).map((t) => [t.title, t.owner, t.status, t.last_note]).sort()).toEqual(
        tasks.map((t, i) => [t.title, `agent${i + 1}`, 'done', `note ${i}`]).sort(),
      )
      expect((await list.log()).map((e) => e.kind).sort()).toEqual([...Array(6).fill('claim'), ...Array(6).fill('create'), ...Array(6).fill('update')])
    })

    it('update: only the owner, every status, note kept until replaced', async () => {
      const { list } = freshLog(shared)
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
      const { list } = freshLog(shared)
      const task = await list.create('agent1', 'a task', { assign: 'agent2' })
      const bogus = 'finished' as TeamTaskStatus
      expect(await list.update('0000000000', 'agent2', bogus)).toMatchObject({ outcome: 'missing' })
      expect(await list.update(task.id, 'agent3', bogus)).toMatchObject({ outcome: 'not-owner', owner: 'agent2' })
      expect(await list.update(task.id, 'agent2', bogus)).toEqual({ outcome: 'invalid-status', status: 'finished' })
      expect(await list.get(task.id)).toMatchObject({ status: 'open' })
    })

    it('list filters by owner and status and orders by id; get of an unknown id is null', async () => {
      const { list } = freshLog(shared)
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
      const { list, reader } = freshLog(shared)
      const a = await list.create('agent1', 'first', { assign: 'agent2' })
      const b = await list.create('agent2', 'second')
      await list.claim(a.id, 'agent2')
      await list.claim(b.id, 'agent3')
      await list.claim(b.id, 'agent1') // refused: not logged
      await list.update(a.id, 'agent2', 'blocked', 'waiting')
      await list.update(a.id, 'agent3', 'done') // refused: not logged
      await list.update(a.id, 'agent2', 'done')
      const log = await reader().log()
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

    it('an empty title or creator is refused with code USAGE, and nothing is logged', async () => {
      const { list } = freshLog(shared)
      for (const [by, what] of [
        ['agent1', '  '],
        ['', 'a task'],
      ] as const) {
        const error = await rejection(list.create(by, what))
        expect(isCooperbenchError(error) && error.code).toBe('USAGE')
      }
      expect(await list.log()).toEqual([])
    })

    it('protocol: a request is pending for its addressee only, in id order, with the reference fields, and logged', async () => {
      const { list, reader } = freshLog(shared)
      const first = await list.request('agent1', 'agent2', 'question', 'which file holds the parser?')
      const second = await list.request('agent3', 'agent2', 'review', '')
      await list.request('agent2', 'agent1', 'question', 'and you?')
      expect(first).toMatchObject({ from: 'agent1', to: 'agent2', kind: 'question', body: 'which file holds the parser?' })
      expect(first.id).toMatch(/^[0-9a-f]{10}$/)
      expect(typeof first.ts).toBe('number')
      // A list on another handle sees the same requests.
      const other = reader()
      expect(await other.pending('agent2')).toEqual([first, second].sort((a, b) => (a.id < b.id ? -1 : 1)))
      expect((await other.pending('agent1')).map((r) => r.body)).toEqual(['and you?'])
      expect(await other.pending('agent4')).toEqual([])
      expect((await list.log()).find((e) => e.kind === 'request')).toEqual({
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
      const { list } = freshLog(shared)
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
      const { list, lists } = freshLog(shared)
      const request = await list.request('agent1', 'agent2', 'question', 'race')
      const outcomes = await Promise.all(lists(6).map((h, i) => h.respond(request.id, 'agent2', `answer ${i}`)))
      expect(outcomes.filter((o) => o.outcome === 'responded')).toHaveLength(1)
      expect((await list.log()).filter((e) => e.kind === 'response')).toHaveLength(1)
    })

    it('protocol: awaitResponse times out with null, returns a response that comes during the wait, and keeps it for later calls', async () => {
      const { lists } = freshLog(shared)
      const [asker, responder] = lists(2)
      const request = await asker!.request('agent1', 'agent2', 'question', 'wait for me')
      expect(await asker!.awaitResponse(request.id, 100)).toBeNull()
      const started = Date.now()
      const waiting = asker!.awaitResponse(request.id, 20_000)
      await new Promise((resolve) => setTimeout(resolve, 50))
      // The list answers other calls while one waits.
      expect(await responder!.pending('agent2')).toHaveLength(1)
      await responder!.respond(request.id, 'agent2', 'here')
      const response = await waiting
      expect(Date.now() - started).toBeLessThan(5_000)
      expect(response).toMatchObject({ id: request.id, from: 'agent2', to: 'agent1', body: 'here' })
      expect(await asker!.awaitResponse(request.id, 0)).toEqual(response)
      expect(await responder!.awaitResponse(request.id, 10)).toEqual(response)
    })

    it('protocol: an aborted wait ends with null; unknown ids wait for nothing; a request needs both agents (USAGE)', async () => {
      const { list } = freshLog(shared)
      const request = await list.request('agent1', 'agent2', 'question', 'abort me')
      const controller = new AbortController()
      const waiting = list.awaitResponse(request.id, 60_000, controller.signal)
      await new Promise((resolve) => setTimeout(resolve, 50))
      controller.abort()
      expect(await waiting).toBeNull()
      expect(await list.awaitResponse('ffffffffff', 10)).toBeNull()
      for (const [by, to] of [
        ['', 'agent2'],
        ['agent1', ''],
      ] as const) {
        const error = await rejection(list.request(by, to, 'q', 'b'))
        expect(isCooperbenchError(error) && error.code).toBe('USAGE')
      }
    })
  })
}

describe('the log under the list', () => {
  it('awaitResponse without a handle of its own to sleep on still sees the response', async () => {
    const logs = new MemoryLogs()
    const list = new TeamTaskList(logs.open('team:poll', 'tasks'))
    const request = await list.request('agent1', 'agent2', 'question', 'polled')
    const waiting = list.awaitResponse(request.id, 20_000)
    await new Promise((resolve) => setTimeout(resolve, 50))
    await new TeamTaskList(logs.open('team:poll', 'tasks')).respond(request.id, 'agent2', 'seen')
    expect(await waiting).toMatchObject({ body: 'seen' })
  })

  it('a list whose log was cleared under it rejects with INFRA_FAILED; a list on the cleared log starts empty', async () => {
    const { logs, namespace, list, reader } = freshLog(true)
    await list.create('agent1', 'gone soon')
    logs.clear(namespace)
    const error = await rejection(list.list())
    expect(isCooperbenchError(error) && error.code).toBe('INFRA_FAILED')
    expect(await reader().list()).toEqual([])
  })

  it('an entry that is no event fails the list (INFRA_FAILED); events of kinds it does not know are skipped', async () => {
    const logs = new MemoryLogs()
    const foreign = logs.open('team:foreign', 'tasks')
    expect(await foreign.append([JSON.stringify({ kind: 'vote', by: 'agent9', ts: 1 })])).toBe(true)
    const list = new TeamTaskList(logs.open('team:foreign', 'tasks'))
    const task = await list.create('agent1', 'after a newer writer')
    expect((await list.log()).map((e) => e.kind)).toEqual(['create'])
    expect(await list.get(task.id)).toMatchObject({ title: 'after a newer writer' })
    expect(await foreign.read()).toHaveLength(1)
    expect(await foreign.append(['not json'])).toBe(true)
    const error = await rejection(list.list())
    expect(isCooperbenchError(error) && error.code).toBe('INFRA_FAILED')
  })
})
