import { lineRecogniser, parseCountItems, type PartialCounts } from './common.js'

const WORDS = new Set(['failed', 'skipped', 'todo', 'passed', 'total'])
// `Tests:` with the colon; `Test Suites:` counts files, not tests.
const LINE = /^\s*Tests:\s+(.+?)\s*$/

/** Parses jest's `Tests:       1 failed, 2 skipped, 40 passed, 43 total` line. */
function parseJestLine(line: string): PartialCounts | null {
  const m = LINE.exec(line)
  if (!m) return null
  const items = parseCountItems(m[1]!, /,\s*/, WORDS)
  return items ? { passed: items.get('passed') ?? 0, failed: items.get('failed') ?? 0 } : null
}

/** jest: the `Tests:` summary line. */
export const jest = lineRecogniser('jest', parseJestLine)
