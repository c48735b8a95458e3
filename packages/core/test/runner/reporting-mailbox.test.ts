import { describe, expect, it } from 'vitest'
import { MemoryBus } from '@cooperbench/builtins'
import type { BusMessage } from '@cooperbench/spec'
import { reportingSends } from '../../src/runner/reporting-mailbox.js'

describe('reportingSends: the runner hears of every message an agent sends, as the bus recorded it', () => {
  it('reports a sent message once, after the bus took it, and changes nothing else', async () => {
    const bus = new MemoryBus()
    const sent: BusMessage[] = []
    const a = reportingSends(await bus.open('n', 'agent1', ['agent2']), (message) => sent.push(message))
    const b = await bus.open('n', 'agent2', ['agent1'])
    const result = await a.send('agent2', 'hello\nthere')
    expect(sent).toEqual([result.message])
    expect(sent[0]).toMatchObject({ from: 'agent1', to: 'agent2', content: 'hello\nthere' })
    expect((await b.receive()).map((m) => m.content)).toEqual(['hello\nthere'])
    expect(await a.deliveryState(result.message.id)).toBe('read')
    // A send the bus refuses (not a peer) is not reported.
    await expect(a.send('agent3', 'x')).rejects.toThrow()
    expect(sent).toHaveLength(1)
  })

  it("keeps the bus's optional liveness methods, and adds none the bus lacks", async () => {
    const bus = new MemoryBus()
    const a = reportingSends(await bus.open('n', 'agent1', ['agent2']), () => {})
    const b = reportingSends(await bus.open('n', 'agent2', ['agent1']), () => {})
    await a.markAwaiting!('agent2', 10_000)
    expect(await b.isAwaitedBy!('agent1')).toBe(true)
    await b.finish()
    expect(await a.hasFinished!('agent2')).toBe(true)
    const { hasFinished: _h, markAwaiting: _m, isAwaitedBy: _i, ...plain } = await bus.open('n', 'agent3', [])
    expect(Object.keys(reportingSends(plain, () => {}))).not.toContain('hasFinished')
  })
})
