import { describe, expect, it } from 'vitest'
import { supervise } from '../../src/util/supervise.js'

const never = () => new Promise<never>(() => {})

describe('supervise: the harness bounds a plugin call', () => {
  it('passes a settled value or error through, with no abort', async () => {
    expect(await supervise({ run: async () => 7, timeoutMs: 1000, graceMs: 10 })).toEqual({ kind: 'fulfilled', value: 7, aborted: null })
    const error = new Error('boom')
    expect(await supervise({ run: async () => Promise.reject(error), timeoutMs: null, graceMs: 10 })).toEqual({ kind: 'rejected', error, aborted: null })
    // A synchronous throw counts as a rejection too.
    const sync = await supervise({
      run: () => {
        throw error
      },
      timeoutMs: null,
      graceMs: 10,
    })
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

  it('a wait in a capacity queue (clock paused) does not count: a call queued past its deadline still finishes', async () => {
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms))
    const outcome = await supervise({
      run: async (signal, clock) => {
        const resume = clock.pause()
        await wait(300)
        resume()
        resume() // idempotent
        await wait(20)
        return signal.aborted
      },
      timeoutMs: 100,
      graceMs: 10,
    })
    expect(outcome).toEqual({ kind: 'fulfilled', value: false, aborted: null })
    // Time before and after the pause adds up: 60 + 60 ms of work past a 100 ms deadline.
    const over = await supervise({
      run: (signal, clock) =>
        new Promise((resolve, reject) => {
          signal.addEventListener('abort', () => reject(signal.reason))
          void wait(60).then(async () => {
            const resume = clock.pause()
            await wait(200)
            resume()
            await wait(300)
            resolve('late')
          })
        }),
      timeoutMs: 100,
      graceMs: 1000,
    })
    expect(over).toMatchObject({ kind: 'rejected', aborted: 'deadline' })
  })

  it('abandons a call that ignores its signal once the grace period is over', async () => {
    const started = Date.now()
    expect(await supervise({ run: never, timeoutMs: 20, graceMs: 30 })).toEqual({ kind: 'abandoned', aborted: 'deadline' })
    expect(Date.now() - started).toBeLessThan(20_000)
  })

  it("the caller's abort (Ctrl+C) reaches the call; an aborted caller abandons a deaf call after the grace period", async () => {
    const parent = new AbortController()
    let seen: unknown
    const pending = supervise({
      run: (signal) => ((signal.onabort = () => (seen = signal.reason)), never()),
      timeoutMs: null,
      graceMs: 20,
      signal: parent.signal,
    })
    parent.abort(new Error('interrupted by SIGINT'))
    expect(await pending).toEqual({ kind: 'abandoned', aborted: 'interrupted' })
    expect(seen).toEqual(new Error('interrupted by SIGINT'))
    const already = await supervise({ run: (signal) => Promise.resolve(signal.aborted), timeoutMs: null, graceMs: 20, signal: parent.signal })
    expect(already).toEqual({ kind: 'fulfilled', value: true, aborted: 'interrupted' })
  })
})
