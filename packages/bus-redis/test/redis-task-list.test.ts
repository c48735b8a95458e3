import { spawnSync } from 'node:child_process'
import { isCooperbenchError, type TaskList } from '@cooperbench/spec'
import { type RedisServerFixture, redisServerSkipReason, startRedisServer } from '@cooperbench/testkit'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RedisBus, RedisTaskList } from '../src/index.js'

const skip = redisServerSkipReason()

/** Python's own `json.dumps(json.loads(line))` of each line: what the reference's client would have stored. */
function pythonDumps(lines: string[]): string[] {
  const script = 'import json, sys\nfor line in sys.stdin.read().split("\\n"):\n    print(json.dumps(json.loads(line)))'
  const done = spawnSync('python3', ['-c', script], { input: lines.join('\n'), encoding: 'utf8' })
  expect(done.status, done.stderr).toBe(0)
  return done.stdout.trimEnd().split('\n')
}

/** Python's `str(float(x))`. */
function pythonStr(value: number): string {
  return Number.isInteger(value) ? `${value}.0` : String(value)
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (e: unknown) => e,
  )
}

describe.skipIf(skip)('redis task list: the reference layout and honest failures', () => {
  let server: RedisServerFixture
  let raw: Redis
  let bus: RedisBus
  beforeAll(async () => {
    server = await startRedisServer()
    raw = new Redis(server.url, { maxRetriesPerRequest: null })
    raw.on('error', () => {})
    bus = new RedisBus({ url: server.url, operationTimeoutMs: 1_000 })
  })
  afterAll(async () => {
    await bus?.close()
    raw?.disconnect()
    await server?.stop()
  })

  it("keeps the protocol under the reference's keys: requests:open:<id>, requests:by_recipient:<agent>, responses:<id>", async () => {
    const list = await bus.openTaskList('run-protocol')
    const request = await list.request('agent1', 'agent2', 'question', 'héllo "there"')
    expect(await raw.hgetall(`cb:run-protocol:requests:open:${request.id}`)).toEqual({
      id: request.id,
      from: 'agent1',
      to: 'agent2',
      kind: 'question',
      body: 'héllo "there"',
      ts: pythonStr(request.ts),
    })
    expect(await raw.smembers('cb:run-protocol:requests:by_recipient:agent2')).toEqual([request.id])
    await list.respond(request.id, 'agent2', 'ok/é')
    expect(await raw.exists(`cb:run-protocol:requests:open:${request.id}`)).toBe(0)
    expect(await raw.smembers('cb:run-protocol:requests:by_recipient:agent2')).toEqual([])
    const [stored] = await raw.lrange(`cb:run-protocol:responses:${request.id}`, 0, -1)
    // The reference's json.dumps layout and key order, byte for byte (its ASCII escapes; '/' as it is).
    expect(stored).toMatch(new RegExp(`^\\{"id": "${request.id}", "from": "agent2", "to": "agent1", "body": "ok/\\\\u00e9", "ts": [0-9.]+\\}$`))
    expect([stored]).toEqual(pythonDumps([stored!]))
    const entries = await raw.lrange('cb:run-protocol:task-log', 0, -1)
    expect(entries).toEqual(pythonDumps(entries))
    const log = entries.map((e) => JSON.parse(e) as Record<string, unknown>)
    expect(log.map((e) => e.kind)).toEqual(['request', 'response'])
    expect(log[1]).toMatchObject({ kind: 'response', request_id: request.id, by: 'agent2', to: 'agent1', body: 'ok/é' })
    await list.clear()
    expect(await raw.keys('cb:run-protocol:*')).toEqual([])
    await list.close()
  })

  it('reads an upstream log (no bodies) and skips entries of kinds it does not know', async () => {
    const list = await bus.openTaskList('run-kinds')
    await raw.rpush(
      'cb:run-kinds:task-log',
      JSON.stringify({ kind: 'request', request_id: 'abcdef0123', by: 'agent1', to: 'agent2', request_kind: 'q', ts: 1 }),
      JSON.stringify({ kind: 'handoff', by: 'agent1', ts: 2 }),
      JSON.stringify({ kind: 'response', request_id: 'abcdef0123', by: 'agent2', to: 'agent1', ts: 3 }),
    )
    expect((await list.log()).map((e) => e.kind)).toEqual(['request', 'response'])
    await list.clear()
    await list.close()
  })

  it('writes the reference keys: cb:<run>:task:<id> hash of strings, cb:<run>:tasks:all, cb:<run>:task-log', async () => {
    const list = await bus.openTaskList('run-layout')
    const task = await list.create('agent1', 'Implement féature 2', { assign: 'agent2', metadata: { feature: 2 } })
    await list.claim(task.id, 'agent2')
    await list.update(task.id, 'agent2', 'done', 'patch in /workspace/shared')
    expect(await raw.hgetall(`cb:run-layout:task:${task.id}`)).toEqual({
      id: task.id,
      title: 'Implement féature 2',
      owner: 'agent2',
      status: 'done',
      created_by: 'agent1',
      created_at: pythonStr(task.created_at),
      last_note: 'patch in /workspace/shared',
      // json.dumps(metadata), as the reference's TaskListClient stores it.
      metadata: '{"feature": 2}',
    })
    expect(await raw.smembers('cb:run-layout:tasks:all')).toEqual([task.id])
    const entries = await raw.lrange('cb:run-layout:task-log', 0, -1)
    // Each event as the reference's json.dumps(event) pushes it.
    expect(entries).toEqual(pythonDumps(entries))
    const log = entries.map((j) => JSON.parse(j) as Record<string, unknown>)
    expect(log.map((e) => [e.kind, e.task_id, e.by])).toEqual([
      ['create', task.id, 'agent1'],
      ['claim', task.id, 'agent2'],
      ['update', task.id, 'agent2'],
    ])
    for (const key of [`cb:run-layout:task:${task.id}`, 'cb:run-layout:tasks:all', 'cb:run-layout:task-log']) {
      expect(await raw.ttl(key)).toBeGreaterThan(3600)
    }
    await list.close()
  })

  it('reads tasks and events a reference client wrote (Python float strings, its JSON spacing)', async () => {
    await raw.hset('cb:run-reference:task:abcdef0123', {
      id: 'abcdef0123',
      title: 'wire create_jinja_env helper',
      owner: '',
      status: 'open',
      created_by: 'agent1',
      created_at: '1764061234.5678904',
      last_note: '',
      metadata: '{}',
    })
    await raw.sadd('cb:run-reference:tasks:all', 'abcdef0123')
    await raw.rpush(
      'cb:run-reference:task-log',
      '{"kind": "create", "task_id": "abcdef0123", "by": "agent1", "title": "wire create_jinja_env helper", "ts": 1764061234.5679}',
    )
    const list = await bus.openTaskList('run-reference')
    expect(await list.list({ status: 'open' })).toEqual([
      {
        id: 'abcdef0123',
        title: 'wire create_jinja_env helper',
        owner: '',
        status: 'open',
        created_by: 'agent1',
        created_at: 1764061234.5678904,
        last_note: '',
        metadata: {},
      },
    ])
    expect(await list.claim('abcdef0123', 'agent2')).toMatchObject({ outcome: 'claimed', task: { owner: 'agent2' } })
    expect((await list.log()).map((e) => e.kind)).toEqual(['create', 'claim'])
    await list.close()
  })

  it('a stored record that is not a task is an INFRA_FAILED error naming the key, never a guess', async () => {
    await raw.hset('cb:run-corrupt:task:0123456789', { id: '0123456789', title: 't', owner: '', status: 'finished', created_by: 'a', created_at: 'x' })
    await raw.sadd('cb:run-corrupt:tasks:all', '0123456789')
    await raw.rpush('cb:run-corrupt:task-log', 'not json')
    const list = await bus.openTaskList('run-corrupt')
    for (const call of [() => list.list(), () => list.get('0123456789'), () => list.claim('0123456789', 'agent1'), () => list.log()]) {
      const error = await rejection(call())
      expect(isCooperbenchError(error) && error.code).toBe('INFRA_FAILED')
      expect(String((error as Error).message)).toContain('cb:run-corrupt:task')
    }
    await list.close()
  })

  it('closing the bus closes the task lists it opened', async () => {
    const own = new RedisBus({ url: server.url })
    const list = await own.openTaskList('run-close')
    await own.close()
    const error = await rejection(list.list())
    expect(isCooperbenchError(error) && error.code).toBe('INTERNAL')
    expect(String(await raw.client('LIST'))).not.toContain('cooperbench-task-list')
  })

  it('after a Redis restart that lost the list, every call says so (INFRA_FAILED), never "missing" or an empty list', async () => {
    const list: TaskList = await bus.openTaskList('run-outage')
    const task = await list.create('agent1', 'a task')
    await server.restart({ downtimeMs: 1_500 })
    const calls = [
      () => list.claim(task.id, 'agent2'),
      () => list.update(task.id, 'agent1', 'done'),
      () => list.get(task.id),
      () => list.list(),
      () => list.log(),
    ]
    for (const call of calls) {
      const error = await rejection(call())
      expect(isCooperbenchError(error) && error.code).toBe('INFRA_FAILED')
      expect((error as Error).message).toContain('Redis no longer has it')
    }
    // A task id that never existed in a list that still exists is simply missing.
    const fresh = await bus.openTaskList('run-after-outage')
    await fresh.create('agent1', 'kept')
    expect(await fresh.claim('0000000000', 'agent2')).toEqual({ outcome: 'missing', taskId: '0000000000' })
    await list.close()
    await fresh.close()
  })
})

describe.skipIf(skip)('redis task list: unreachable server', () => {
  it('open rejects with BACKEND_UNAVAILABLE naming the address, password redacted', async () => {
    const error = await rejection(RedisTaskList.open('run-x', { url: 'redis://user:s3cret@127.0.0.1:1', operationTimeoutMs: 500 }))
    expect(isCooperbenchError(error) && error.code).toBe('BACKEND_UNAVAILABLE')
    expect((error as Error).message).toContain('127.0.0.1:1')
    expect((error as Error).message).not.toContain('s3cret')
  })

  it('a claim while the server is down rejects with BACKEND_UNAVAILABLE: nothing was sent', async () => {
    const server = await startRedisServer()
    try {
      const list = await RedisTaskList.open('run-down', { url: server.url, operationTimeoutMs: 500 })
      const task = await list.create('agent1', 'a task')
      await server.stop()
      const error = await rejection(list.claim(task.id, 'agent2'))
      expect(isCooperbenchError(error) && error.code).toBe('BACKEND_UNAVAILABLE')
      expect((error as Error).message).toContain('nothing was sent')
      await list.close()
    } finally {
      await server.stop()
    }
  })
})
