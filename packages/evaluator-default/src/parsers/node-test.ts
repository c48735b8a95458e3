import { lineRecogniser, type PartialCounts } from './common.js'

// Spec reporter prefixes with `ℹ `, TAP reporter with `# `; the keys are the same.
const LINE = /^(?:ℹ|#) (tests|pass|fail|cancelled|skipped|todo) (\d+)$/

/** Parses one node:test summary line; `cancelled` tests count as failed. */
function parseNodeTestLine(line: string): PartialCounts | null {
  const m = LINE.exec(line.trim())
  if (!m) return null
  const n = Number(m[2])
  switch (m[1]) {
    case 'pass':
      return { passed: n, failed: 0 }
    case 'fail':
    case 'cancelled':
      return { passed: 0, failed: n }
    default:
      // Recognised (it proves node:test ran) but not counted: `tests` is a total.
      return { passed: 0, failed: 0 }
  }
}

/** node:test: spec (`ℹ pass 11`) and TAP (`# pass 11`) reporters. */
export const nodeTest = lineRecogniser('node-test', parseNodeTestLine)
