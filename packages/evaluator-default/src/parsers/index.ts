import { cargo } from './cargo.js'
import { splitLines, type Recogniser } from './common.js'
import { goTest } from './go-test.js'
import { jest } from './jest.js'
import { nodeTest } from './node-test.js'
import { pytest } from './pytest.js'
import { summaryLine } from './summary-line.js'
import { vitest } from './vitest.js'

/** Test counts parsed from a runner's output. */
export interface TestCounts {
  passed: number
  /** Failures plus errors (and cancelled node:test tests). */
  failed: number
  /** Names of the recognisers that found at least one summary line, e.g. `['pytest']`. */
  frameworks: string[]
}

/** Every recogniser, in the order their names appear in {@link TestCounts.frameworks}. */
const RECOGNISERS: readonly Recogniser[] = [pytest, goTest, cargo, summaryLine, jest, vitest, nodeTest]

/**
 * Test counts of a runner's output: unlike the reference (first match wins), every recogniser's (disjoint) summary lines are
 * summed, as a runner may run its tool several times (cargo's binaries). Nothing recognised → 0/0.
 */
export function parseTestOutput(output: string): TestCounts {
  const lines = splitLines(output)
  const counts: TestCounts = { passed: 0, failed: 0, frameworks: [] }
  for (const r of RECOGNISERS) {
    const c = r.recognise(lines)
    if (!c) continue
    counts.passed += c.passed
    counts.failed += c.failed
    counts.frameworks.push(r.name)
  }
  return counts
}

/** The pass criterion for every framework: exit 0 and at least one passing test parsed. */
export function isTestRunPassed(exitCode: number | null, counts: TestCounts): boolean {
  return exitCode === 0 && counts.passed >= 1
}
