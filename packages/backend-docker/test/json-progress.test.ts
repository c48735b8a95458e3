import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { followProgress, type ProgressEvent } from '../src/json-progress.js'

/** A progress stream fed with `chunks`, then ended (or destroyed). */
function feed(chunks: string[], end: 'end' | 'destroy' = 'end'): { stream: PassThrough; events: ProgressEvent[]; done: Promise<string | null> } {
  const stream = new PassThrough()
  const events: ProgressEvent[] = []
  const done = followProgress(stream, (event) => events.push(event))
  setImmediate(() => {
    for (const chunk of chunks) stream.write(chunk)
    if (end === 'end') stream.end()
    else stream.destroy()
  })
  return { stream, events, done }
}

describe("followProgress: the engine's JSON-lines progress", () => {
  it('parses lines split across chunks, with \\r\\n, skipping blank lines', async () => {
    const { events, done } = feed(['{"stream":"Step 1/2"}\r\n{"sta', 'tus":"Pulling","id":"abc"}\n\n', '{"aux":{"ID":"sha256:1"}}\n'])
    expect(await done).toBeNull()
    expect(events).toEqual([{ stream: 'Step 1/2' }, { status: 'Pulling', id: 'abc' }, { aux: { ID: 'sha256:1' } }])
  })

  it('keeps a last line without a newline', async () => {
    const { events, done } = feed(['{"status":"one"}\n{"status":"last"}'])
    expect(await done).toBeNull()
    expect(events.map((e) => e.status)).toEqual(['one', 'last'])
  })

  it('passes a line that is not JSON on as text instead of throwing', async () => {
    const { events, done } = feed(['<html>proxy error</html>\n{"status":"ok"}\n'])
    expect(await done).toBeNull()
    expect(events).toEqual([{ stream: '<html>proxy error</html>\n' }, { status: 'ok' }])
  })

  it('resolves with the first in-band error (HTTP 200 with an error event)', async () => {
    const { done } = feed(['{"stream":"Step 3/7"}\n{"errorDetail":{"message":"RUN failed: exit 2"},"error":"RUN failed: exit 2"}\n{"error":"later"}\n'])
    expect(await done).toBe('RUN failed: exit 2')
  })

  it('rejects when the stream is destroyed before its end (an aborted pull is not a success)', async () => {
    const { done } = feed(['{"status":"Downloading"}\n'], 'destroy')
    await expect(done).rejects.toThrow(/closed the progress stream early/)
  })
})
