import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fakeOpenHandsServerCommand, installFakeOpenHandsServer } from '@cooperbench/standins/openhands-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AgentServerClient, openHandsOptionsSchema, type ServerEvent } from '../src/index.js'
import { OPENHANDS_DEFAULTS } from '../src/options.js'
import { checkServerVersion } from '../src/server-version.js'
import { type BridgeMessage, insertInLogOrder, isStep, messageOf } from '../src/trajectory.js'
import { fixture } from './real-server-fixtures.js'
import { type Json, runServerScenario, type ScenarioRecord } from './server-scenario.js'

/**
 * The answers of the real openhands-agent-server 1.43.1, recorded by record-real-server.test.ts,
 * replayed against the bridge's parsers; then the stand-in runs the same scenario and must answer
 * with the same shapes (keys and value types per event kind).
 */
const frames = fixture<ServerEvent[]>('socket-frames')

describe('the recorded answers of the real agent server, read by the bridge', () => {
  it('accepts the recorded server_info, and refuses the same server reporting a version before 1.28 in one line', () => {
    const info = fixture<Json>('server-info')
    expect(() => checkServerVersion(info)).not.toThrow()
    let refused: unknown
    try {
      checkServerVersion({ ...info, version: '1.27.3' })
    } catch (error) {
      refused = error
    }
    expect((refused as Error).message).toMatch(/1\.27\.3.*needs 1\.28\.0 or later/)
    expect((refused as Error).message).not.toContain('\n')
  })

  it('defaults to the server version it was recorded against', () => {
    expect(OPENHANDS_DEFAULTS.server_version).toBe(fixture<Json>('server-info').version)
  })

  it('reads the socket frames into a trajectory: the task, the command with its output, the finish', () => {
    // Live events may arrive before the resent history (recorded so), and some twice: by id, in log order.
    const unique = [...new Map(frames.map((f) => [f.id, f])).values()].sort((a, b) => a.timestamp.localeCompare(b.timestamp))
    const messages = unique.map(messageOf).filter((m) => m !== null)
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant', 'tool', 'assistant', 'tool'])
    expect(messages[2]!.tool_calls?.[0]?.function.name).toBe('send_message')
    expect(JSON.parse(messages[2]!.tool_calls![0]!.function.arguments)).toEqual({ to: 'agent2', content: 'hello from agent1' })
    expect(JSON.stringify(messages[4])).toContain('echo hello > hello.txt')
    expect(unique.filter(isStep)).toHaveLength(3)
    expect(frames.some((f) => f.kind === 'ConversationStateUpdateEvent' && f.key === 'execution_status' && f.value === 'finished')).toBe(true)
  })

  it('keeps the trajectory in log order although the socket delivered live events before the history', () => {
    const seen = new Set<string>()
    const messages: BridgeMessage[] = []
    for (const frame of frames) {
      if (seen.has(frame.id)) continue
      seen.add(frame.id)
      const message = messageOf(frame)
      if (message) insertInLogOrder(messages, message)
    }
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant', 'tool', 'assistant', 'tool'])
    expect(messages.map((m) => m.extra.openhands_event!.timestamp)).toEqual(messages.map((m) => m.extra.openhands_event!.timestamp).sort())
  })

  it('pages through the recorded events search to the end', async () => {
    const page = fixture<{ items: ServerEvent[]; next_page_id: string | null }>('events-search-page')
    const all = fixture<{ items: ServerEvent[]; next_page_id: string | null }>('events-search-last-page')
    expect(typeof page.next_page_id).toBe('string')
    expect(all.next_page_id).toBeNull()
    // Serves the recorded first page, then the rest from the recorded full listing.
    const server: Server = createServer((req, res) => {
      const pageId = new URL(req.url ?? '/', 'http://x').searchParams.get('page_id')
      const start = pageId === null ? 0 : all.items.findIndex((e) => e.id.replaceAll('-', '') === pageId.replaceAll('-', ''))
      const body = pageId === null ? page : { items: all.items.slice(start), next_page_id: null }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const client = new AgentServerClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 'key')
      expect((await client.events('c')).map((e) => e.id)).toEqual(all.items.map((e) => e.id))
    } finally {
      server.close()
    }
  })

  it('finds the status and the metrics it sums where the recorded status has them', () => {
    const status = fixture<{
      execution_status: string
      stats: { usage_to_metrics: Record<string, { accumulated_cost: number; accumulated_token_usage: Json }> }
    }>('conversation-status')
    expect(status.execution_status).toBe('finished')
    const agent = status.stats.usage_to_metrics.agent!
    expect(typeof agent.accumulated_cost).toBe('number')
    expect(typeof agent.accumulated_token_usage.prompt_tokens).toBe('number')
  })

  it('allows no condenser_max_size the real server answers with 422', () => {
    const statuses = fixture<Record<string, number>>('condenser-max-size-statuses')
    const smallestAccepted = Math.min(
      ...Object.entries(statuses)
        .filter(([, status]) => status < 300)
        .map(([size]) => Number(size)),
    )
    expect(openHandsOptionsSchema.properties.condenser_max_size.minimum).toBe(smallestAccepted)
    expect(OPENHANDS_DEFAULTS.condenser_max_size).toBeGreaterThanOrEqual(smallestAccepted)
  })
})

/** Keys with the JSON type of each value, e.g. `timestamp:string`. */
const shape = (value: unknown): string[] =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? Object.entries(value)
        .map(([k, v]) => `${k}:${v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v}`)
        .sort()
    : [typeof value]

/** Event shapes by kind (state updates by key, actions and observations by their own kind); events without a parent differ only there. */
function shapesByKind(events: Json[]): Map<string, Set<string>> {
  const byKind = new Map<string, Set<string>>()
  const inner = (value: unknown) => (value !== null && typeof value === 'object' ? String((value as Json).kind) : '')
  for (const event of events) {
    const kind =
      event.kind === 'ConversationStateUpdateEvent'
        ? `${String(event.kind)}:${String(event.key)}`
        : `${String(event.kind)}:${inner(event.action)}${inner(event.observation)}`
    const keys = byKind.get(kind) ?? new Set<string>()
    for (const key of shape(event)) if (!key.startsWith('parent_id:')) keys.add(key)
    byKind.set(kind, keys)
  }
  return byKind
}

describe('the stand-in agent server, run through the recorded scenario', () => {
  let standIn: ScenarioRecord
  const installed = installFakeOpenHandsServer()
  beforeAll(async () => {
    const server = await installed
    standIn = await runServerScenario(fakeOpenHandsServerCommand(server.dir, '{port}', ['--host', '127.0.0.1']))
  }, 120_000)
  afterAll(async () => (await installed).remove())

  it('sends socket frames of the same kinds, with the same keys and value types', () => {
    const real = shapesByKind(frames as unknown as Json[])
    const fake = shapesByKind(standIn['socket-frames'])
    for (const [kind, keys] of real) expect([kind, [...(fake.get(kind) ?? [])].sort()]).toEqual([kind, [...keys].sort()])
  })

  it('answers server_info, the create and the status with the same keys', () => {
    for (const name of ['server-info', 'conversation-create', 'conversation-status'] as const) {
      expect([name, Object.keys(standIn[name]).sort()]).toEqual([name, Object.keys(fixture<Json>(name)).sort()])
    }
  })

  it('makes the title call of upstream’s default, and none with autotitle false', () => {
    const titleCalls = (calls: Array<{ tools: string[] }>) => calls.filter((call) => call.tools.length === 0).length
    expect(titleCalls(standIn['model-calls-autotitle-default'])).toBe(titleCalls(fixture('model-calls-autotitle-default')))
    expect(titleCalls(standIn['model-calls-autotitle-false'])).toBe(0)
    expect(titleCalls(fixture('model-calls-autotitle-false'))).toBe(0)
  })

  it('writes its state under its working directory, where the real server does', () => {
    const layout = (files: string[]) =>
      new Set(files.filter((f) => /base_state\.json$|\/events\/event-\d+-<id>\.json$/.test(f)).map((f) => f.replace(/event-\d+-/, 'event-N-')))
    expect(layout(standIn['server-cwd-files'])).toEqual(layout(fixture('server-cwd-files')))
  })

  it('answers 422 to the same condenser sizes, with the same body shape', () => {
    expect(standIn['condenser-max-size-statuses']).toEqual(fixture('condenser-max-size-statuses'))
    const detail = (body: unknown) => shape((body as { detail: unknown[] }).detail[0])
    expect(detail(standIn['condenser-max-size-422'])).toEqual(detail(fixture('condenser-max-size-422')))
  })
})
