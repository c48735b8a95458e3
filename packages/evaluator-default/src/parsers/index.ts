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
 * Parses test counts from the combined output of a task's runner script.
 *
 * Unlike the reference (first match wins), every recogniser runs and all recognised
 * summary lines are summed, because a runner may invoke its tool several times (one
 * `test result:` per cargo binary, typst run twice, ...). The recognisers' line
 * shapes are disjoint, so no line is counted twice. Nothing recognised → 0/0.
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

/**
 * The pass criterion for every framework: the runner exited 0 and at least one
 * passing test was parsed (an exit 0 with nothing recognised is not a pass).
 */
export function isTestRunPassed(exitCode: number | null, counts: TestCounts): boolean {
  return exitCode === 0 && counts.passed >= 1
}
