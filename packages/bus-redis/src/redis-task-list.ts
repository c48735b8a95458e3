import type { Redis } from 'ioredis'
import { CooperbenchError, errorMessage, type TaskList } from '@cooperbench/spec'
import { isObject, redactUrlCredentials } from '@cooperbench/spec-utils'
import { pythonFloat, pythonJsonDumps, TEAM_FLOAT_KEYS } from '@cooperbench/spec-utils/host'
import {
  type ClaimOutcome,
  type CreateTeamTaskOptions,
  isTeamTaskStatus,
  type RespondOutcome,
  TEAM_TASK_EVENT_KINDS,
  type TeamTask,
  type TeamTaskEvent,
  type TeamTaskFilter,
  type TeamRequest,
  type TeamResponse,
  type TeamTaskStatus,
  type UpdateOutcome,
} from '@cooperbench/spec/team'
import { byId, checkNewTeamRequest, checkNewTeamTask, filteredTasks, newTeamTaskId, teamTaskTimestamp } from '@cooperbench/spec-utils/team'
import { settleWithin, TIMED_OUT } from './bounded-wait.js'
import type { RedisBusOptions } from './redis-options.js'
import { deleteKeysMatching, parseJson, redisClientClass } from './wire.js'
import {
  CLAIM_TASK_SCRIPT,
  CLEAR_TASKS_SCRIPT,
  CREATE_TASK_SCRIPT,
  LIST_TASKS_SCRIPT,
  PENDING_SCRIPT,
  REQUEST_SCRIPT,
  RESPOND_SCRIPT,
  UPDATE_TASK_SCRIPT,
} from './task-list-scripts.js'

/** An event as the reference's `json.dumps(event)` pushes it to `task-log`: its separators, ASCII escapes, times as floats. */
const stored = (event: object) => pythonJsonDumps(event, { floatKeys: TEAM_FLOAT_KEYS })

/** Task list keys expire this long after their last write, as the bus' keys do. */
export const REDIS_TASK_LIST_KEY_TTL_SECONDS = 86_400

/**
 * The reference's keys under `cb:<namespace>`: the task list's (0.0.16 `coop_task.py`) and the typed protocol's
 * (`team_harness/protocol.py`: `requests:open:<id>` hash, `requests:by_recipient:<agent>` set, `responses:<id>` list of JSON).
 */
export function taskListKeys(namespace: string) {
  const prefix = `cb:${namespace}`
  return {
    task: (id: string) => `${prefix}:task:${id}`,
    taskPrefix: `${prefix}:task:`,
    all: `${prefix}:tasks:all`,
    log: `${prefix}:task-log`,
    openRequest: (id: string) => `${prefix}:requests:open:${id}`,
    openRequestPrefix: `${prefix}:requests:open:`,
    inbox: (agent: string) => `${prefix}:requests:by_recipient:${agent}`,
    response: (id: string) => `${prefix}:responses:${id}`,
    protocolPatterns: [`${prefix}:requests:*`, `${prefix}:responses:*`],
  }
}

/** The bus's server, and how long one call waits for Redis before it rejects with BACKEND_UNAVAILABLE. */
export type RedisTaskListOptions = Pick<RedisBusOptions, 'url' | 'operationTimeoutMs'>

/**
 * The Redis task list: the reference's keys and field strings, every change one Lua script. Unlike the bus it never waits out an
 * outage (own connection, nothing queued or resent): an unanswered call rejects (BACKEND_UNAVAILABLE) saying the outcome is
 * unknown, as a claim must never be reported won or lost on a guess.
 */
export class RedisTaskList implements TaskList {
  readonly specificationVersion = 'task-list-v1' as const
  private readonly keys: ReturnType<typeof taskListKeys>
  private closed = false
  /** This handle saw the list hold tasks: an empty list after that means Redis lost it. */
  private sawTasks = false

  private constructor(
    readonly namespace: string,
    private readonly client: Redis,
    private readonly options: RedisTaskListOptions,
    private readonly onClose: (list: RedisTaskList) => void,
  ) {
    this.keys = taskListKeys(namespace)
  }

  /** Connects (rejecting with BACKEND_UNAVAILABLE when Redis does not answer in time). */
  static async open(namespace: string, options: RedisTaskListOptions, onClose: (list: RedisTaskList) => void = () => {}): Promise<RedisTaskList> {
    if (namespace === '') throw new CooperbenchError('USAGE', 'a task list namespace must not be empty (the team setting uses the run id)')
    const client = new (redisClientClass())(options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt) => Math.min(attempt * 50, 1_000),
      connectionName: 'cooperbench-task-list',
    })
    client.on('error', () => {})
    const connected = await settleWithin(client.connect(), options.operationTimeoutMs)
    if (!connected.ok) {
      client.disconnect()
      throw unavailable(options.url, 'connect', connected.error, false)
    }
    return new RedisTaskList(namespace, client, options, onClose)
  }

  async create(by: string, title: string, options: CreateTeamTaskOptions = {}): Promise<TeamTask> {
    checkNewTeamTask(by, title)
    const owner = options.assign ?? ''
    const metadata = pythonJsonDumps(options.metadata ?? {})
    for (;;) {
      const id = newTeamTaskId()
      const createdAt = teamTaskTimestamp()
      const event: TeamTaskEvent = { kind: 'create', task_id: id, by, title, ...(owner ? { owner } : {}), ts: createdAt }
      const args = [REDIS_TASK_LIST_KEY_TTL_SECONDS, id, title, owner, by, pythonFloat(createdAt), metadata, stored(event)]
      const made = (await this.run('create', (c) => c.eval(CREATE_TASK_SCRIPT, 3, this.keys.task(id), this.keys.all, this.keys.log, ...args))) as number
      if (made === 1) this.sawTasks = true
      if (made === 1) return { id, title, owner, status: 'open', created_by: by, created_at: createdAt, last_note: '', metadata: JSON.parse(metadata) }
    }
  }

  async claim(taskId: string, by: string): Promise<ClaimOutcome> {
    const event: TeamTaskEvent = { kind: 'claim', task_id: taskId, by, ts: teamTaskTimestamp() }
    const reply = (await this.run('claim', (c) =>
      c.eval(CLAIM_TASK_SCRIPT, 3, this.keys.task(taskId), this.keys.all, this.keys.log, REDIS_TASK_LIST_KEY_TTL_SECONDS, by, stored(event)),
    )) as string[]
    const [outcome, owner = '', ...fields] = reply
    if (outcome === 'missing') return this.missing(taskId, owner === '1')
    const task = this.decode(taskId, fields)
    if (outcome === 'owned') return { outcome: 'owned', owner, task }
    if (outcome === 'claimed') return { outcome: 'claimed', task }
    throw this.corrupt(taskId, `the claim script answered ${JSON.stringify(outcome)}`)
  }

  async update(taskId: string, by: string, status: TeamTaskStatus, note?: string): Promise<UpdateOutcome> {
    const event = { kind: 'update', task_id: taskId, by, status, ...(note !== undefined ? { note } : {}), ts: teamTaskTimestamp() }
    const args = [REDIS_TASK_LIST_KEY_TTL_SECONDS, by, String(status), note === undefined ? '0' : '1', note ?? '', stored(event)]
    const reply = (await this.run('update', (c) => c.eval(UPDATE_TASK_SCRIPT, 3, this.keys.task(taskId), this.keys.all, this.keys.log, ...args))) as string[]
    const [outcome, owner = '', ...fields] = reply
    if (outcome === 'missing') return this.missing(taskId, owner === '1')
    if (outcome === 'invalid-status') return { outcome: 'invalid-status', status: String(status) }
    const task = this.decode(taskId, fields)
    if (outcome === 'not-owner') return { outcome: 'not-owner', owner, task }
    if (outcome === 'updated') return { outcome: 'updated', task }
    throw this.corrupt(taskId, `the update script answered ${JSON.stringify(outcome)}`)
  }

  async get(taskId: string): Promise<TeamTask | null> {
    const hash = await this.run('get', (c) => c.hgetall(this.keys.task(taskId)))
    if (Object.keys(hash).length > 0) return this.decode(taskId, Object.entries(hash).flat())
    if (this.sawTasks && (await this.run('get', (c) => c.exists(this.keys.all))) === 0) throw this.lost()
    return null
  }

  async list(filter: TeamTaskFilter = {}): Promise<TeamTask[]> {
    const reply = (await this.run('list', (c) => c.eval(LIST_TASKS_SCRIPT, 1, this.keys.all, this.keys.taskPrefix))) as [string, string[]][]
    if (reply.length === 0 && this.sawTasks) throw this.lost()
    if (reply.length > 0) this.sawTasks = true
    // A set member whose hash is gone is skipped, as the reference's list does (expired key).
    const tasks = reply.filter(([, fields]) => fields.length > 0).map(([id, fields]) => this.decode(id, fields))
    return filteredTasks(tasks, filter)
  }

  /** The log's events; an entry of a kind this version does not know (a newer writer's) is skipped. */
  async log(): Promise<TeamTaskEvent[]> {
    const entries = await this.run('log', (c) => c.lrange(this.keys.log, 0, -1))
    if (entries.length === 0 && this.sawTasks) throw this.lost()
    if (entries.length > 0) this.sawTasks = true
    return entries.flatMap((json, index) => decodeEvent(json, () => this.corrupt(`${this.keys.log}[${index}]`, `not a task event: ${json.slice(0, 200)}`)))
  }

  async request(by: string, to: string, kind: string, body: string): Promise<TeamRequest> {
    checkNewTeamRequest(by, to)
    for (;;) {
      const id = newTeamTaskId()
      const ts = teamTaskTimestamp()
      const event: TeamTaskEvent = { kind: 'request', request_id: id, by, to, request_kind: kind, body, ts }
      const args = [REDIS_TASK_LIST_KEY_TTL_SECONDS, id, by, to, kind, body, pythonFloat(ts), stored(event)]
      const keys = [this.keys.openRequest(id), this.keys.inbox(to), this.keys.log, this.keys.response(id)]
      const made = (await this.run('request', (c) => c.eval(REQUEST_SCRIPT, 4, ...keys, ...args))) as number
      if (made === 1) return { id, from: by, to, kind, body, ts }
    }
  }

  async respond(requestId: string, by: string, body: string): Promise<RespondOutcome> {
    const ts = teamTaskTimestamp()
    const keys = [this.keys.openRequest(requestId), this.keys.response(requestId), this.keys.log, this.keys.inbox(by)]
    const args = [REDIS_TASK_LIST_KEY_TTL_SECONDS, by, requestId, ...[requestId, by, body].map((s) => pythonJsonDumps(s)), pythonFloat(ts)]
    const [outcome, who = ''] = (await this.run('respond', (c) => c.eval(RESPOND_SCRIPT, 4, ...keys, ...args))) as string[]
    if (outcome === 'unknown') return { outcome: 'unknown', requestId }
    if (outcome === 'not-addressed') return { outcome: 'not-addressed', to: who }
    if (outcome === 'responded') return { outcome: 'responded', response: { id: requestId, from: by, to: who, body, ts } }
    throw this.corrupt(this.keys.openRequest(requestId), `the respond script answered ${JSON.stringify(outcome)}`)
  }

  async pending(agentId: string): Promise<TeamRequest[]> {
    const reply = (await this.run('pending', (c) => c.eval(PENDING_SCRIPT, 1, this.keys.inbox(agentId), this.keys.openRequestPrefix))) as [string, string[]][]
    return reply
      .filter(([, fields]) => fields.length > 0)
      .map(([id, fields]) => this.decodeRequest(id, fields))
      .sort(byId)
  }

  /** The stored response, else waits on its own connection with `BLMOVE key key` (leaves it, the reference's BLPOP consumes); an abort closes it. */
  async awaitResponse(requestId: string, timeoutMs: number, signal?: AbortSignal): Promise<TeamResponse | null> {
    const key = this.keys.response(requestId)
    const stored = await this.run('await', (c) => c.lindex(key, 0))
    if (stored !== null) return this.decodeResponse(key, stored)
    if (timeoutMs <= 0 || signal?.aborted) return null
    const waiter = this.client.duplicate({ connectionName: 'cooperbench-task-list-wait', lazyConnect: true })
    waiter.on('error', () => {})
    const abort = () => waiter.disconnect()
    signal?.addEventListener('abort', abort, { once: true })
    try {
      const connected = await settleWithin(waiter.connect(), this.options.operationTimeoutMs)
      if (!connected.ok) throw unavailable(this.options.url, 'await', connected.error, false)
      const seconds = Math.max(0.01, timeoutMs / 1000).toFixed(3)
      const waited = await settleWithin(waiter.blmove(key, key, 'LEFT', 'RIGHT', seconds), timeoutMs + this.options.operationTimeoutMs)
      if (signal?.aborted) return null
      if (!waited.ok) throw unavailable(this.options.url, 'await', waited.error, false)
      return waited.value === null ? null : this.decodeResponse(key, waited.value)
    } finally {
      signal?.removeEventListener('abort', abort)
      waiter.disconnect()
    }
  }

  async clear(): Promise<void> {
    await this.run('clear', (c) => c.eval(CLEAR_TASKS_SCRIPT, 2, this.keys.all, this.keys.log, this.keys.taskPrefix))
    await this.run('clear', async (c) => {
      for (const pattern of this.keys.protocolPatterns) await deleteKeysMatching(c, pattern)
    })
    this.sawTasks = false
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.onClose(this)
    if (this.client.status === 'ready') await settleWithin(this.client.quit(), 1_000)
    this.client.disconnect()
  }

  private async run<T>(operation: string, command: (client: Redis) => Promise<T>): Promise<T> {
    if (this.closed) throw new CooperbenchError('INTERNAL', `task list ${this.namespace} is closed`)
    const deadline = Date.now() + this.options.operationTimeoutMs
    // Sent only on a ready connection (nothing queues), so a command goes out once or never: an earlier failure changes nothing.
    if (this.client.status !== 'ready') {
      if (!(await readyWithin(this.client, this.options.operationTimeoutMs))) {
        throw unavailable(this.options.url, operation, new Error('no connection, nothing was sent'), false)
      }
    }
    const result = await settleWithin(command(this.client), Math.max(0, deadline - Date.now()))
    if (result.ok) return result.value
    // ioredis refuses a command on a connection that is going down before writing it.
    const unsent = result.error instanceof Error && /isn't writeable/.test(result.error.message)
    const changes = !unsent && operation !== 'get' && operation !== 'list' && operation !== 'log'
    throw unavailable(this.options.url, operation, unsent ? new Error('the connection is down, nothing was sent') : result.error, changes)
  }

  private missing(taskId: string, listExists: boolean): { outcome: 'missing'; taskId: string } {
    if (!listExists && this.sawTasks) throw this.lost()
    return { outcome: 'missing', taskId }
  }

  private lost(): CooperbenchError {
    return new CooperbenchError('INFRA_FAILED', `task list ${this.namespace}: Redis no longer has it (${this.keys.all} is gone), though it held tasks`, {
      hint: 'The Redis server lost its data (restarted without persistence, or flushed): the team run cannot trust its task list. Run Redis with persistence and rerun the pair.',
    })
  }

  private decode(taskId: string, flat: readonly string[]): TeamTask {
    this.sawTasks = true
    const hash: Record<string, string> = {}
    for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i]!] = flat[i + 1]!
    const createdAt = Number(hash.created_at)
    const metadata = parseJson(hash.metadata ?? '')
    const strings = ['id', 'title', 'owner', 'created_by', 'last_note'] as const
    if (strings.some((f) => typeof hash[f] !== 'string') || !isTeamTaskStatus(hash.status) || !Number.isFinite(createdAt) || !isObject(metadata)) {
      throw this.corrupt(this.keys.task(taskId), `not a task: ${JSON.stringify(hash).slice(0, 300)}`)
    }
    return {
      id: hash.id!,
      title: hash.title!,
      owner: hash.owner!,
      status: hash.status,
      created_by: hash.created_by!,
      created_at: createdAt,
      last_note: hash.last_note!,
      metadata,
    }
  }

  private decodeRequest(id: string, flat: readonly string[]): TeamRequest {
    const hash: Record<string, string> = {}
    for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i]!] = flat[i + 1]!
    const ts = Number(hash.ts)
    const strings = ['id', 'from', 'to', 'kind', 'body'] as const
    if (strings.some((f) => typeof hash[f] !== 'string') || !Number.isFinite(ts)) {
      throw this.corrupt(this.keys.openRequest(id), `not a request: ${JSON.stringify(hash).slice(0, 300)}`)
    }
    return { id: hash.id!, from: hash.from!, to: hash.to!, kind: hash.kind!, body: hash.body!, ts }
  }

  private decodeResponse(key: string, json: string): TeamResponse {
    const r = parseJson(json) as Record<string, unknown> | null | undefined
    const ok = typeof r === 'object' && r !== null && ['id', 'from', 'to', 'body'].every((f) => typeof r[f] === 'string') && typeof r.ts === 'number'
    if (!ok) throw this.corrupt(key, `not a response: ${json.slice(0, 300)}`)
    return { id: r.id as string, from: r.from as string, to: r.to as string, body: r.body as string, ts: r.ts as number }
  }

  private corrupt(where: string, detail: string): CooperbenchError {
    return new CooperbenchError('INFRA_FAILED', `task list ${this.namespace}: ${where}: ${detail}`, {
      hint: 'Something other than cooperbench wrote to these Redis keys; the team run cannot trust its task list.',
    })
  }
}

function unavailable(url: string, operation: string, error: unknown, changes: boolean): CooperbenchError {
  const reason = error === TIMED_OUT ? 'no answer in time' : errorMessage(error)
  return new CooperbenchError('BACKEND_UNAVAILABLE', `task list ${operation} at ${redactUrlCredentials(url)} failed: ${reason}`, {
    hint: changes
      ? 'Redis did not confirm the change, so whether it happened is unknown: read the task list before retrying.'
      : 'Check that the Redis server given with --redis runs and is reachable.',
    ...(error === TIMED_OUT ? {} : { cause: error }),
  })
}

/** Whether the client is (or becomes) ready within `ms`; leaves no listener behind. */
function readyWithin(client: Redis, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (client.status === 'ready') return resolve(true)
    const done = (ready: boolean) => {
      clearTimeout(timer)
      client.removeListener('ready', onReady)
      resolve(ready)
    }
    const onReady = () => done(true)
    const timer = setTimeout(() => done(false), ms)
    client.on('ready', onReady)
  })
}

function decodeEvent(json: string, corrupt: () => CooperbenchError): TeamTaskEvent[] {
  const e = parseJson(json) as Record<string, unknown>
  if (typeof e !== 'object' || e === null || typeof e.kind !== 'string' || typeof e.by !== 'string' || typeof e.ts !== 'number') throw corrupt()
  if (!(TEAM_TASK_EVENT_KINDS as readonly string[]).includes(e.kind)) return []
  const str = (field: string) => typeof e[field] === 'string'
  const optionalStr = (field: string) => e[field] === undefined || str(field)
  if (e.kind === 'request' || e.kind === 'response') {
    if (str('request_id') && str('to') && (e.kind === 'response' || str('request_kind'))) return [e as TeamTaskEvent]
    throw corrupt()
  }
  if (!str('task_id')) throw corrupt()
  if (e.kind === 'create' && str('title') && optionalStr('owner')) return [e as TeamTaskEvent]
  if (e.kind === 'claim') return [e as TeamTaskEvent]
  if (e.kind === 'update' && isTeamTaskStatus(e.status) && optionalStr('note')) return [e as TeamTaskEvent]
  throw corrupt()
}
