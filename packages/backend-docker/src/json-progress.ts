import type { Readable } from 'node:stream'

/** One line of the progress the engine streams for a pull or a build. */
export interface ProgressEvent {
  /** Build output text (`Step 2/7 : RUN ...`, the command's own output). */
  stream?: string
  /** Pull progress (`Downloading`, `Pull complete`). */
  status?: string
  id?: string
  /** A failure; the operation has stopped. */
  error?: string
  errorDetail?: { message?: string }
  aux?: unknown
}

/**
 * Reads the engine's newline-delimited JSON progress, calling `onEvent` per line; resolves with
 * the first `error` event's message (failures come in-band, with HTTP 200), or null. A non-JSON
 * line is passed on as `stream` text. Not docker-modem's `followProgress` (5.0.x): there a
 * non-JSON line is an uncaught exception, a last line without newline is dropped, and a stream
 * destroyed mid-way (an aborted pull) counts as a success.
 */
export function followProgress(stream: Readable, onEvent: (event: ProgressEvent) => void): Promise<string | null> {
  return new Promise((resolve, reject) => {
    let pending = ''
    let failure: string | null = null
    const handleLine = (line: string) => {
      const text = line.replace(/\r$/, '')
      if (text.trim() === '') return
      let event: ProgressEvent
      try {
        event = JSON.parse(text) as ProgressEvent
      } catch {
        event = { stream: `${text}\n` }
      }
      if (failure === null && (event.error !== undefined || event.errorDetail?.message !== undefined)) {
        failure = (event.errorDetail?.message ?? event.error ?? '').trim() || 'unknown error'
      }
      onEvent(event)
    }
    stream.setEncoding('utf8')
    stream.on('data', (chunk: string) => {
      pending += chunk
      let newline: number
      while ((newline = pending.indexOf('\n')) >= 0) {
        handleLine(pending.slice(0, newline))
        pending = pending.slice(newline + 1)
      }
    })
    stream.once('error', reject)
    stream.once('end', () => {
      handleLine(pending)
      resolve(failure)
    })
    // A destroyed stream (aborted request) closes without 'end'.
    stream.once('close', () => {
      if (!stream.readableEnded) reject(stream.errored ?? new Error('the engine closed the progress stream early'))
    })
  })
}
