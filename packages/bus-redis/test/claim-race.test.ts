import { type ClaimOutcome, TeamTaskList } from '@cooperbench/setting-team'
import { type RedisServerFixture, redisServerSkipReason, startRedisServer } from '@cooperbench/testkit'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { logKey, RedisBus } from '../src/index.js'

/**
 * The claim race of the team setting on a real Redis (docs/reference-compatibility.md#team-task-list):
 * upstream's `coop-task-claim` reads the owner, then writes it, so two agents could both win a task;
 * ours appends the claim to the list's log only when nothing came first (`SharedLog.append`, one
 * script). Here 50 task lists, each on a bus and connection of its own, claim every one of 20 tasks at
 * once, three rounds in a row: exactly one winner per task, every other claimer told who won, and one
 * claim event per task in the log.
 */
const CLIENTS = 50
const TASKS = 20
const ROUNDS = 3

const skip = redisServerSkipReason()

describe.skipIf(skip)('claims racing on a real Redis', () => {
  let server: RedisServerFixture
  let buses: RedisBus[]
  let raw: Redis
  beforeAll(async () => {
    server = await startRedisServer()
    buses = Array.from({ length: CLIENTS }, () => new RedisBus({ url: server.url, operationTimeoutMs: 10_000 }))
    raw = new Redis(server.url, { maxRetriesPerRequest: null })
    raw.on('error', () => {})
  })
  afterAll(async () => {
    await Promise.all((buses ?? []).map((bus) => bus.close()))
    raw?.disconnect()
    await server?.stop()
  })

  for (let round = 1; round <= ROUNDS; round++) {
    it(`round ${round}: ${CLIENTS} clients claim each of ${TASKS} tasks at once; one winner per task, one claim event per task`, async () => {
      const namespace = `race-${round}`
      const clients = await Promise.all(buses.map(async (bus) => new TeamTaskList(await bus.openLog(namespace, 'tasks'))))
      const agent = (client: number) => `agent${client + 1}`
      // Every other task pre-assigned, as the seeding does: then only its assignee may win it.
      const assignee = (task: number) => (task % 2 === 1 ? agent((task * 7) % CLIENTS) : null)
      const tasks = []
      for (let t = 0; t < TASKS; t++) {
        const owner = assignee(t)
        tasks.push(await clients[0]!.create('bench-runner', `task ${t}`, owner === null ? {} : { assign: owner }))
      }

      // Every client sends its 20 claims without waiting, in an order of its own, so each task is
      // claimed by 50 connections within the same few milliseconds.
      const attempts: Array<Promise<{ task: number; client: number; outcome: ClaimOutcome }>> = []
      for (const [c, client] of clients.entries()) {
        for (let k = 0; k < TASKS; k++) {
          const t = (k + c) % TASKS
          attempts.push(client.claim(tasks[t]!.id, agent(c)).then((outcome) => ({ task: t, client: c, outcome })))
        }
      }
      const results = await Promise.all(attempts)
      expect(results).toHaveLength(CLIENTS * TASKS)

      const stream = (await raw.xrange(logKey(namespace, 'tasks'), '-', '+')) as Array<[string, string[]]>
      const events = stream.map(([, fields]) => JSON.parse(fields[1]!) as { kind: string; task_id: string; by: string })
      const settled = new TeamTaskList(await buses[0]!.openLog(namespace, 'tasks'))
      for (const [t, task] of tasks.entries()) {
        const claims = results.filter((r) => r.task === t)
        const winners = claims.filter((r) => r.outcome.outcome === 'claimed').map((r) => agent(r.client))
        expect(winners, `task ${t}`).toHaveLength(1)
        const [winner] = winners
        if (assignee(t) !== null) expect(winner, `task ${t} is pre-assigned`).toBe(assignee(t))
        // Every loser was told who holds it.
        expect(
          claims.filter((r) => r.outcome.outcome !== 'claimed').map((r) => r.outcome),
          `task ${t}`,
        ).toEqual(Array.from({ length: CLIENTS - 1 }, () => expect.objectContaining({ outcome: 'owned', owner: winner })))
        // The list, read afresh, holds the winner, and the log one claim, by the winner.
        expect(await settled.get(task.id), `task ${t}`).toMatchObject({ owner: winner, status: 'in_progress' })
        expect(
          events.filter((e) => e.kind === 'claim' && e.task_id === task.id).map((e) => e.by),
          `task ${t}`,
        ).toEqual([winner])
      }
      expect(events.map((e) => e.kind).sort()).toEqual([...Array(TASKS).fill('claim'), ...Array(TASKS).fill('create')])
      await buses[0]!.clear(namespace)
    }, 60_000)
  }
})
