/** Runs `work` with a signal the first SIGINT/SIGTERM aborts (scopes remove every sandbox); a second exits at once (bubblewrap dies too; `sandboxes prune`). */
export async function withInterruption<T>(
  work: (signal: AbortSignal) => Promise<T>,
  onInterrupt?: () => void,
  stopping = 'stopping agents and removing sandboxes',
): Promise<T> {
  const controller = new AbortController()
  let signals = 0
  const handler = (name: NodeJS.Signals) => {
    signals++
    if (signals === 1) {
      onInterrupt?.()
      process.stderr.write(`\n${name} received: ${stopping} (press Ctrl+C again to exit at once)\n`)
      controller.abort(new DOMException(`interrupted by ${name}`, 'AbortError'))
    } else {
      process.exit(130)
    }
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
  try {
    return await work(controller.signal)
  } finally {
    process.off('SIGINT', handler)
    process.off('SIGTERM', handler)
  }
}
