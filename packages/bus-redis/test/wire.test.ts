import { describe, expect, it } from 'vitest'
import { busTimestamp, isoFromMicros, timestampMicros } from '@cooperbench/spec-utils'
import { sortChronologically } from '../src/transcript-order.js'
import { busKeys, decodeMessage, encodeMessage } from '../src/wire.js'
import type { BusMessage } from '@cooperbench/spec'

describe('bus timestamps', () => {
  it('are ISO 8601 with microseconds and an offset, strictly increasing, close to the wall clock', () => {
    const before = Date.now()
    const stamps = Array.from({ length: 1_000 }, () => busTimestamp())
    const after = Date.now()
    for (const stamp of stamps) expect(stamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}[+-]\d{2}:\d{2}$/)
    const micros = stamps.map((s) => timestampMicros(s)!)
    for (let i = 1; i < micros.length; i++) expect(micros[i]!).toBeGreaterThan(micros[i - 1]!)
    expect(Date.parse(stamps[0]!)).toBeGreaterThanOrEqual(before)
    expect(Math.floor(micros.at(-1)! / 1000)).toBeLessThanOrEqual(after + 5)
  })

  it('parse every format readers must accept (docs/reference-compatibility.md#messaging)', () => {
    expect(timestampMicros('2026-05-15T14:03:11.482113+00:00')).toBe(Date.UTC(2026, 4, 15, 14, 3, 11) * 1000 + 482_113)
    expect(timestampMicros('2026-05-15T16:03:11.482113+02:00')).toBe(Date.UTC(2026, 4, 15, 14, 3, 11) * 1000 + 482_113)
    expect(timestampMicros('2026-05-15T14:03:11Z')).toBe(Date.UTC(2026, 4, 15, 14, 3, 11) * 1000)
    expect(timestampMicros('2026-05-15T14:03:11.482113')).toBe(new Date(2026, 4, 15, 14, 3, 11).getTime() * 1000 + 482_113)
    expect(timestampMicros(1778854000.25)).toBe(1778854000_250_000)
    expect(timestampMicros('yesterday')).toBeNull()
    expect(timestampMicros(null)).toBeNull()
    expect(timestampMicros(isoFromMicros(1778854000_123_456))).toBe(1778854000_123_456)
  })
})

describe('wire format', () => {
  const message: BusMessage = { id: 'm1', from: 'agent1', to: 'agent2', content: 'a "quoted"\nline ✓', timestamp: '2026-05-15T14:03:11.482113+00:00' }

  it('keys: run:<id>:<agent>:inbox, ours under run:<id>:bus:, a SCAN pattern with glob characters escaped', () => {
    const keys = busKeys('run:1a2b3c4d')
    expect(keys.inbox('agent2')).toBe('run:1a2b3c4d:agent2:inbox')
    expect(keys.messages).toBe('run:1a2b3c4d:bus:messages')
    expect(keys.pattern).toBe('run:1a2b3c4d:*')
    expect(busKeys('run:a*b?[c]').pattern).toBe('run:a\\*b\\?\\[c\\]:*')
  })

  it('encodes the reference keys in order, then the id, and decodes back', () => {
    const json = encodeMessage(message)
    expect(json).toBe('{"from":"agent1","to":"agent2","content":"a \\"quoted\\"\\nline ✓","timestamp":"2026-05-15T14:03:11.482113+00:00","id":"m1"}')
    expect(decodeMessage(json, 'agent2')).toEqual(message)
  })

  it('decodes reference entries: derived id, numeric timestamp, missing to, non-JSON', () => {
    const raw = '{"from":"agent1","to":"agent2","content":"hi","timestamp":1778854000.5}'
    const decoded = decodeMessage(raw, 'agent2')
    expect(decoded.id).toMatch(/^ref-[0-9a-f]{32}$/)
    expect(decodeMessage(raw, 'agent2').id).toBe(decoded.id)
    expect(Date.parse(decoded.timestamp)).toBe(1778854000500)
    expect(decodeMessage('{"from":"agent1","content":"no to"}', 'agent2').to).toBe('agent2')
    expect(decodeMessage('plain text', 'agent2')).toMatchObject({ from: 'unknown', to: 'agent2', content: 'plain text' })
  })
})

describe('chronological order', () => {
  const at = (id: string, from: string, timestamp: string | number) => ({ id, from, to: 'x', content: id, timestamp: timestamp as string })

  it('sorts by time across formats, ties by agent order then local order, unreadable times last', () => {
    const sorted = sortChronologically([
      { message: at('late', 'agent1', '2026-05-15T14:03:12.000000+00:00') },
      { message: at('bad', 'agent1', 'not a time') },
      { message: at('tie-agent10', 'agent10', '2026-05-15T14:03:11.000000+00:00'), seq: 1 },
      { message: at('tie-agent2-b', 'agent2', '2026-05-15T14:03:11.000000+00:00'), seq: 3 },
      { message: at('tie-agent2-a', 'agent2', '2026-05-15T14:03:11.000000+00:00'), seq: 2 },
      { message: at('early-offset', 'agent9', '2026-05-15T16:03:10.000000+02:00') },
    ])
    expect(sorted.map((m) => m.id)).toEqual(['early-offset', 'tie-agent2-a', 'tie-agent2-b', 'tie-agent10', 'late', 'bad'])
  })
})
