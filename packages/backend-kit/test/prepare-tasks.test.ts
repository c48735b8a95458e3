import { CooperbenchError, type Task } from '@cooperbench/spec'
import { describe, expect, it } from 'vitest'
import { prepareTaskImages } from '../src/index.js'

const task = (taskId: string) => ({ repo: 'r', taskId }) as Task

describe('prepareTaskImages', () => {
  it('reports each task in order, a failure as an entry with its hint, and the image ensure named', async () => {
    const events: string[] = []
    const reports = await prepareTaskImages(
      [task('1'), task('2'), task('3')],
      { concurrency: 2, onProgress: (event) => events.push(`${event.phase} ${event.image}`) },
      (t) => `img:${t.taskId}`,
      async (t, image, target) => {
        if (t.taskId === '2') throw new CooperbenchError('SANDBOX_FAILED', 'no build', { hint: 'fix it' })
        if (t.taskId === '3') target.image = `${image}-layer`
        return { action: 'present', durationMs: 7 }
      },
    )
    expect(reports.map(({ image, action, durationMs, error }) => ({ image, action, error, durationMs: action === 'failed' ? 0 : durationMs }))).toEqual([
      { image: 'img:1', action: 'present', durationMs: 7, error: null },
      { image: 'img:2', action: 'failed', durationMs: 0, error: 'no build (fix it)' },
      { image: 'img:3-layer', action: 'present', durationMs: 7, error: null },
    ])
    expect(events.filter((e) => e.startsWith('done')).sort()).toEqual(['done img:1', 'done img:2', 'done img:3'])
  })

  it('throws when cancelled instead of reporting failures', async () => {
    const stop = new AbortController()
    const run = prepareTaskImages(
      [task('1')],
      { concurrency: 1, signal: stop.signal },
      () => 'img',
      async () => {
        stop.abort(new Error('stopped'))
        throw new Error('cut off')
      },
    )
    await expect(run).rejects.toThrow()
  })
})
