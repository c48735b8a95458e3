import { lineRecogniser, parseCountItems, type PartialCounts } from './common.js'

const WORDS = new Set(['passed', 'failed', 'error', 'errors', 'skipped', 'deselected', 'xfailed', 'xpassed', 'warning', 'warnings', 'rerun'])

// The ` in <secs>s` tail tells a pytest summary from the custom `<p> passed, <f> failed, <s> skipped` line and jest/vitest lines.
const SUMMARY = /^(?:=+ )?(\d+ [a-z]+(?:, \d+ [a-z]+)*) in \d+(?:\.\d+)?s(?: \(\d+:\d{2}:\d{2}\))?(?: =+)?$/

/** Parses one pytest final summary line (`== 1 failed, 2 passed in 0.1s ==`, or the quiet form). */
function parsePytestLine(line: string): PartialCounts | null {
  const m = SUMMARY.exec(line.trim())
  if (!m) return null
  const items = parseCountItems(m[1]!, /, /, WORDS)
  if (!items) return null
  const errors = (items.get('error') ?? 0) + (items.get('errors') ?? 0)
  return { passed: items.get('passed') ?? 0, failed: (items.get('failed') ?? 0) + errors }
}

/** pytest: final summary lines; `failed` counts failures and errors. */
export const pytest = lineRecogniser('pytest', parsePytestLine)
