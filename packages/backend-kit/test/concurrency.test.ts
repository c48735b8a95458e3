import { setTimeout as tick } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { forEachConcurrent, Semaphore } from '../src/concurrency.js'

describe('concurrency helpers', () => {
  it('forEachConcurrent never exceeds the limit and visits every item once', async () => {
    let active = 0
    let peak = 0
    const seen: number[] = []
    await forEachConcurrent([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      active++
      peak = Math.max(peak, active)
      await tick(5 + (n % 3))
      seen.push(n)
      active--
    })
    expect(peak).toBe(3)
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6, 7])
  })

  it('forEachConcurrent takes no new item once aborted', async () => {
    const controller = new AbortController()
    const started: number[] = []
    await forEachConcurrent(
      [1, 2, 3, 4],
      1,
      async (n) => {
        started.push(n)
        if (n === 2) controller.abort()
      },
      controller.signal,
    )
    expect(started).toEqual([1, 2])
  })

  it('forEachConcurrent rejects with the first failure and starts no item after it', async () => {
    const started: number[] = []
    const run = forEachConcurrent([1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n)
      await tick(n === 2 ? 1 : 20)
      if (n === 2) throw new Error('item 2 failed')
    })
    await expect(run).rejects.toThrow('item 2 failed')
    await tick(60)
    // 1 and 2 start together; 2 fails while 1 still runs, so no lane takes 3, 4 or 5 afterwards.
    expect(started).toEqual([1, 2])
  })

  it('Semaphore holds the limit even when newcomers arrive while a slot is handed over', async () => {
    const semaphore = new Semaphore(2)
    let active = 0
    let peak = 0
    const job = () =>
      semaphore.use(async () => {
        active++
        peak = Math.max(peak, active)
        await tick(3)
        active--
      })
    const first = Array.from({ length: 4 }, job)
    await tick(4)
    const later = Array.from({ length: 4 }, job)
    await Promise.all([...first, ...later])
    expect(peak).toBe(2)
  })
})
