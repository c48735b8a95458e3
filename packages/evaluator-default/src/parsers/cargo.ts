import { lineRecogniser, type PartialCounts } from './common.js'

const RESULT = /^test result: (?:ok|FAILED)\. (\d+) passed; (\d+) failed; \d+ ignored; \d+ measured; \d+ filtered out/

/** Parses one libtest `test result:` line (one is printed per test binary). */
function parseCargoLine(line: string): PartialCounts | null {
  const m = RESULT.exec(line)
  return m ? { passed: Number(m[1]), failed: Number(m[2]) } : null
}

/** cargo / libtest: sums the `test result:` line of every test binary. */
export const cargo = lineRecogniser('cargo', parseCargoLine)
