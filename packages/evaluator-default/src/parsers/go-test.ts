import type { PartialCounts, Recogniser } from './common.js'

const RUN = /^\s*=== RUN\s/
const RESULT = /^\s*--- (PASS|FAIL|SKIP): .+ \(\d+(?:\.\d+)?s\)$/
const OK_PACKAGE = /^ok[ \t]+\S+[ \t]+(?:\d+(?:\.\d+)?s|\(cached\))(.*)$/
// Only `go test`'s tails (a duration or a bracketed reason), so jest's uncoloured `FAIL src/x.test.ts (5.1 s)` is no Go package.
const FAIL_PACKAGE = /^FAIL[ \t]+\S+[ \t]+(?:\d+(?:\.\d+)?s|\(cached\)|\[[a-z ]+\])/
const BROKEN_PACKAGE = /^FAIL[ \t]+\S+[ \t]+\[(?:build|setup) failed\]/

function verbose(lines: readonly string[]): PartialCounts | null {
  let found = false
  let passed = 0
  let failed = 0
  for (const raw of lines) {
    const line = raw.trimEnd()
    const m = RESULT.exec(line)
    if (m) {
      found = true
      if (m[1] === 'PASS') passed++
      else if (m[1] === 'FAIL') failed++
    } else if (BROKEN_PACKAGE.test(line)) {
      // A package that does not compile has no `--- FAIL:` lines at all.
      found = true
      failed++
    }
  }
  return found ? { passed, failed } : null
}

function nonVerbose(lines: readonly string[]): PartialCounts | null {
  let found = false
  let okPackages = 0
  let failPackages = 0
  let failedTests = 0
  for (const raw of lines) {
    const line = raw.trimEnd()
    const ok = OK_PACKAGE.exec(line)
    if (ok) {
      found = true
      if (!ok[1]!.includes('[no tests to run]')) okPackages++
    } else if (FAIL_PACKAGE.test(line)) {
      found = true
      failPackages++
    } else if (RESULT.exec(line)?.[1] === 'FAIL') {
      found = true
      failedTests++
    }
  }
  // Without -v only packages are reported, so "passed" counts passing packages.
  return found ? { passed: okPackages, failed: Math.max(failPackages, failedTests) } : null
}

/** go test: verbose output (any `=== RUN`) counts `--- PASS/FAIL:` lines, subtests too, plus packages failing to build; else package `ok`/`FAIL` lines. */
export const goTest: Recogniser = {
  name: 'go-test',
  recognise: (lines) => (lines.some((l) => RUN.test(l)) ? verbose(lines) : nonVerbose(lines)),
}
