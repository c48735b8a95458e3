import { CooperbenchError, ExitCode } from '@cooperbench/spec'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { withInterruption } from '../../src/interrupt.js'

/** Delivers a signal to the handler withInterruption installed last, as the process would (without signalling the test's worker). */
function deliver(name: NodeJS.Signals): void {
  const handler = process.listeners(name).at(-1) as (signal: NodeJS.Signals) => void
  handler(name)
}

/** Work that waits on its signal the way a backend or bus set-up does: rejecting with the signal's reason. */
const waitsOnSignal = (signal: AbortSignal) => new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }))

describe('withInterruption', () => {
  afterEach(() => vi.restoreAllMocks())

  it('ends work that the first signal broke before it could stop on its own terms as INTERRUPTED (exit 130), not as a bug', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    const interrupted = vi.fn()
    const listening = process.listenerCount('SIGINT')
    const outcome = withInterruption(waitsOnSignal, interrupted)
    deliver('SIGINT')
    const error = await outcome.catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'INTERRUPTED', exitCode: ExitCode.interrupted, message: 'interrupted by SIGINT', cause: { name: 'AbortError' } })
    expect(interrupted).toHaveBeenCalledOnce()
    // The handlers are gone with the work.
    expect(process.listenerCount('SIGINT')).toBe(listening)
  })

  it("keeps the work's own errors: a CooperbenchError after a signal, and any error without one", async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    const own = new CooperbenchError('BACKEND_UNAVAILABLE', 'docker is gone')
    const afterSignal = withInterruption(async (signal) => {
      await waitsOnSignal(signal).catch(() => undefined)
      throw own
    })
    deliver('SIGTERM')
    await expect(afterSignal).rejects.toBe(own)
    const plain = new Error('disk full')
    await expect(withInterruption(async () => Promise.reject(plain))).rejects.toBe(plain)
  })
})
