import { describe, expect, it } from 'vitest'
import { supervise } from '../../src/util/supervise.js'

const never = () => new Promise<never>(() => {})

describe('supervise: the harness bounds a plugin call', () => {
  it('passes a settled value or error through, with no abort', async () => {
    expect(await supervise({ run: async () => 7, timeoutMs: 1000, graceMs: 10 })).toEqual({ kind: 'fulfilled', value: 7, aborted: null })
    const error = new Error('boom')
    expect(await supervise({ run: async () => Promise.reject(error), timeoutMs: null, graceMs: 10 })).toEqual({ kind: 'rejected', error, aborted: null })
    // A synchronous throw counts as a rejection too.
    const sync = await supervise({ run: () => { throw error }, timeoutMs: null, graceMs: 10 })
    expect(sync).toMatchObject({ kind: 'rejected', error })
  })

  it('aborts the call at its deadline and lets it settle within the grace period', async () => {
    const outcome = await supervise({
      run: (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
      timeoutMs: 20,
      graceMs: 1000,
    })
    expect(outcome).toMatchObject({ kind: 'rejected', aborted: 'deadline' })
    expect((outcome as { error: DOMException }).error.name).toBe('TimeoutError')
  })

  it('abandons a call that ignores its signal once the grace period is over', async () => {
    const started = Date.now()
    expect(await supervise({ run: never, timeoutMs: 20, graceMs: 30 })).toEqual({ kind: 'abandoned', aborted: 'deadline' })
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it("the caller's abort (Ctrl+C) reaches the call; an aborted caller abandons a deaf call after the grace period", async () => {
    const parent = new AbortController()
    let seen: unknown
    const pending = supervise({ run: (signal) => ((signal.onabort = () => (seen = signal.reason)), never()), timeoutMs: null, graceMs: 20, signal: parent.signal })
    parent.abort(new Error('interrupted by SIGINT'))
    expect(await pending).toEqual({ kind: 'abandoned', aborted: 'interrupted' })
    expect(seen).toEqual(new Error('interrupted by SIGINT'))
    const already = await supervise({ run: (signal) => Promise.resolve(signal.aborted), timeoutMs: null, graceMs: 20, signal: parent.signal })
    expect(already).toEqual({ kind: 'fulfilled', value: true, aborted: 'interrupted' })
  })
})
