/** Counts contributed by one recogniser. `failed` already includes errors. */
export interface PartialCounts {
  passed: number
  failed: number
}

/** A test-framework recogniser: the summed counts of the summary lines it recognised among the output's, or `null`. */
export interface Recogniser {
  readonly name: string
  recognise(lines: readonly string[]): PartialCounts | null
}

// CSI sequences (colours, cursor moves such as typst's `ESC[1F ESC[0J`) and OSC sequences (hyperlinks).
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g

/** Output as lines, ANSI escapes removed; a lone `\r` breaks a line too (progress bars redraw with it). */
export function splitLines(output: string): string[] {
  return output.replace(ANSI, '').split(/\r\n|\r|\n/)
}

/** Parses `<n> <word>` items joined by `separator`; `null` when any is malformed or not in `words`, so a look-alike is not half-recognised. */
export function parseCountItems(text: string, separator: RegExp, words: ReadonlySet<string>): Map<string, number> | null {
  const counts = new Map<string, number>()
  for (const item of text.split(separator)) {
    const m = /^(\d+) ([a-z]+)$/.exec(item)
    if (!m || !words.has(m[2]!)) return null
    counts.set(m[2]!, (counts.get(m[2]!) ?? 0) + Number(m[1]))
  }
  return counts
}

/** A recogniser that sums the independent per-line matches of `parseLine`. */
export function lineRecogniser(name: string, parseLine: (line: string) => PartialCounts | null): Recogniser {
  return { name, recognise: (lines) => sumLines(lines, parseLine) }
}

function sumLines(lines: readonly string[], parseLine: (line: string) => PartialCounts | null): PartialCounts | null {
  let found = false
  const total: PartialCounts = { passed: 0, failed: 0 }
  for (const line of lines) {
    const c = parseLine(line)
    if (!c) continue
    found = true
    total.passed += c.passed
    total.failed += c.failed
  }
  return found ? total : null
}
