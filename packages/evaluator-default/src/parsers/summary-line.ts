import { lineRecogniser, type PartialCounts } from './common.js'

// The entire line: pytest's `4 passed, 1 failed in 0.1s` and the xcode-like `1 passed, 0 failed, 0 skipped (1 total)` are not this.
const LINE = /^(\d+) passed, (\d+) failed, \d+ skipped$/

/** Parses the custom harness line `<p> passed, <f> failed, <s> skipped` (typst's test runner). */
function parseSummaryLine(line: string): PartialCounts | null {
  const m = LINE.exec(line.trim())
  return m ? { passed: Number(m[1]), failed: Number(m[2]) } : null
}

/** Custom harness summary line, as printed by typst's test runner on stderr. */
export const summaryLine = lineRecogniser('summary-line', parseSummaryLine)
