import { lineRecogniser, parseCountItems, type PartialCounts } from './common.js'

const WORDS = new Set(['failed', 'passed', 'skipped', 'todo'])
// `Tests` without a colon (that is jest), and not `Test Files`, which counts files.
const LINE = /^\s*Tests\s+(.+?) \(\d+\)\s*$/

/** Parses vitest's `      Tests  2 failed | 57 passed | 1 skipped (60)` line. */
function parseVitestLine(line: string): PartialCounts | null {
  const m = LINE.exec(line)
  if (!m) return null
  const items = parseCountItems(m[1]!, /\s*\|\s*/, WORDS)
  return items ? { passed: items.get('passed') ?? 0, failed: items.get('failed') ?? 0 } : null
}

/** vitest: the `Tests` summary line. */
export const vitest = lineRecogniser('vitest', parseVitestLine)
