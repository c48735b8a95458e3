import { CooperbenchError, errorMessage, isCooperbenchError } from '@cooperbench/spec'

/**
 * Runs `work` with a signal the first SIGINT/SIGTERM aborts (scopes remove every sandbox); a second exits at once (bubblewrap dies too;
 * `sandboxes prune`). `stopping` is said at the first; null says nothing then (the command says what came of it).
 */
export async function withInterruption<T>(
  work: (signal: AbortSignal) => Promise<T>,
  onInterrupt?: () => void,
  stopping: string | null = 'stopping agents and removing sandboxes',
): Promise<T> {
  const controller = new AbortController()
  let signals = 0
  const handler = (name: NodeJS.Signals) => {
    signals++
    if (signals === 1) {
      onInterrupt?.()
      if (stopping !== null) process.stderr.write(`\n${name} received: ${stopping} (press Ctrl+C again to exit at once)\n`)
      controller.abort(new DOMException(`interrupted by ${name}`, 'AbortError'))
    } else {
      process.exit(130)
    }
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
  try {
    return await work(controller.signal)
  } catch (error) {
    // What the signal broke before the work could stop on its own terms (a run still opening its backend) is an interruption, not a bug.
    if (!controller.signal.aborted || isCooperbenchError(error)) throw error
    throw new CooperbenchError('INTERRUPTED', errorMessage(controller.signal.reason), {
      hint: 'Run the same command again to go on (a run or an evaluation keeps what finished).',
      cause: error,
    })
  } finally {
    process.off('SIGINT', handler)
    process.off('SIGTERM', handler)
  }
}
