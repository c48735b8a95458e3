import cliProgress from 'cli-progress'

/** Progress through a known number of steps, each ending with a line worth showing. */
export interface CountProgress {
  /** A step ended; its line is written above the bar (or alone, off a terminal). */
  done(line: string): void
  stop(): void
}

/** On a terminal a bar (`{value}/{total} <what>`, ETA) below each step's line; elsewhere the lines alone, counted; nothing when `silent`. */
export function createCountProgress(total: number, what: string, mode: 'auto' | 'silent', stream: NodeJS.WriteStream = process.stderr): CountProgress {
  if (mode === 'silent') return { done() {}, stop() {} }
  let count = 0
  if (stream.isTTY !== true) {
    return {
      done(line) {
        count++
        stream.write(`[${count}/${total}] ${line}\n`)
      },
      stop() {},
    }
  }
  const bar = new cliProgress.SingleBar(
    { stream, hideCursor: true, format: `{bar} {value}/{total} ${what} | ETA {eta_formatted}` },
    cliProgress.Presets.shades_classic,
  )
  bar.start(total, 0)
  return {
    done(line) {
      count++
      // Clear the live bar, write the line, and draw the bar again below it.
      stream.write(`\r\x1b[K${line}\n`)
      bar.update(count)
    },
    stop: () => bar.stop(),
  }
}
