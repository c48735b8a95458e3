import { describe, expect, it } from 'vitest'
import { isTestRunPassed, parseTestOutput } from '../../src/parsers/index.js'

/** Parses and keeps only the counts, for compact expectations. */
function counts(output: string): { passed: number; failed: number } {
  const { passed, failed } = parseTestOutput(output)
  return { passed, failed }
}

const lines = (...l: string[]): string => `${l.join('\n')}\n`

describe('parseTestOutput: one example per recognised framework', () => {
  it('pytest verbose summary with skipped and warnings', () => {
    const out = '==================== 1 failed, 12 passed, 1 skipped, 2 warnings in 2.31s ====================='
    expect(parseTestOutput(out)).toEqual({ passed: 12, failed: 1, frameworks: ['pytest'] })
  })

  it('pytest errors count as failures', () => {
    expect(counts('============================ 3 errors in 0.48s =============================')).toEqual({
      passed: 0,
      failed: 3,
    })
  })

  it('pytest quiet mode', () => {
    expect(counts('5 passed in 0.12s')).toEqual({ passed: 5, failed: 0 })
  })

  it('go test -v counts subtests and ignores the package FAIL line', () => {
    const out = lines(
      '=== RUN   TestPathValue',
      '--- PASS: TestPathValue (0.00s)',
      '    --- PASS: TestPathValue/basic (0.00s)',
      '--- FAIL: TestMetricsCollector (0.01s)',
      'FAIL',
      'FAIL\tgithub.com/go-chi/chi/v5\t0.021s',
    )
    expect(parseTestOutput(out)).toEqual({ passed: 2, failed: 1, frameworks: ['go-test'] })
  })

  it('go test without -v counts ok packages, except those with no tests to run', () => {
    const out = lines(
      'ok  \tgithub.com/go-chi/chi/v5\t0.015s',
      'ok  \tgithub.com/go-chi/chi/v5/middleware\t0.011s [no tests to run]',
      '?   \tgithub.com/go-chi/chi/v5/_examples/rest\t[no test files]',
    )
    expect(parseTestOutput(out)).toEqual({ passed: 1, failed: 0, frameworks: ['go-test'] })
  })

  it('go build failure', () => {
    expect(counts('FAIL\tgithub.com/go-chi/chi/v5 [build failed]')).toEqual({ passed: 0, failed: 1 })
  })

  it('cargo sums the result line of every test binary', () => {
    const out = lines(
      'test result: ok. 14 passed; 0 failed; 2 ignored; 0 measured; 0 filtered out; finished in 0.31s',
      'test result: FAILED. 3 passed; 1 failed; 0 ignored; 0 measured; 9 filtered out; finished in 0.02s',
    )
    expect(parseTestOutput(out)).toEqual({ passed: 17, failed: 1, frameworks: ['cargo'] })
  })

  it('typst runner line, summed over two runs', () => {
    const out = lines('4 passed, 0 failed, 1 skipped', '4 passed, 0 failed, 1 skipped')
    expect(parseTestOutput(out)).toEqual({ passed: 8, failed: 0, frameworks: ['summary-line'] })
  })

  it('jest with skipped tests reads Tests:, not Test Suites:', () => {
    const out = lines('Test Suites: 1 failed, 1 total', 'Tests:       1 failed, 2 skipped, 40 passed, 43 total')
    expect(parseTestOutput(out)).toEqual({ passed: 40, failed: 1, frameworks: ['jest'] })
  })

  it('vitest reads Tests, not Test Files', () => {
    const out = lines(' Test Files  1 failed | 3 passed (4)', '      Tests  2 failed | 57 passed | 1 skipped (60)')
    expect(parseTestOutput(out)).toEqual({ passed: 57, failed: 2, frameworks: ['vitest'] })
  })

  it('node:test spec reporter', () => {
    const out = lines('ℹ tests 12', 'ℹ pass 11', 'ℹ fail 1', 'ℹ cancelled 0')
    expect(parseTestOutput(out)).toEqual({ passed: 11, failed: 1, frameworks: ['node-test'] })
  })
})

describe('parseTestOutput: other shapes', () => {
  it('recognises nothing in unrelated output', () => {
    expect(parseTestOutput('Error: Failed to apply feature patch.\n')).toEqual({
      passed: 0,
      failed: 0,
      frameworks: [],
    })
    expect(parseTestOutput('')).toEqual({ passed: 0, failed: 0, frameworks: [] })
  })

  it('pytest: sums repeated runs and accepts an elapsed-time suffix', () => {
    const out = lines('============ 3 passed in 0.20s ============', '============ 1 failed, 2 passed, 1 error in 62.05s (0:01:02) ============')
    expect(counts(out)).toEqual({ passed: 5, failed: 2 })
  })

  it('pytest: ignores lines that only resemble a summary', () => {
    expect(counts('4 passed, 1 failed')).toEqual({ passed: 0, failed: 0 })
    expect(counts('=== 2 passed, 3 bananas in 0.1s ===')).toEqual({ passed: 0, failed: 0 })
    expect(counts('collected 12 items / 2 deselected / 10 selected')).toEqual({ passed: 0, failed: 0 })
  })

  it('a custom line and a pytest line are each counted once', () => {
    const out = lines('4 passed, 0 failed, 1 skipped', '==== 4 passed, 1 failed in 0.1s ====')
    expect(parseTestOutput(out)).toEqual({ passed: 8, failed: 1, frameworks: ['pytest', 'summary-line'] })
  })

  it('the custom line must be the whole line', () => {
    expect(counts('Results: 4 passed, 0 failed, 1 skipped')).toEqual({ passed: 0, failed: 0 })
    expect(counts('4 passed, 0 failed, 1 skipped (5 total)')).toEqual({ passed: 0, failed: 0 })
  })

  it('real pytest -v output of a jinja runner', () => {
    const out = lines(
      '============================= test session starts ==============================',
      'platform linux -- Python 3.11.9, pytest-8.3.3, pluggy-1.5.0 -- /usr/local/bin/python',
      'collecting ... collected 3 items',
      '',
      'tests/test_loader.py::TestLoaders::test_dict_loader PASSED               [ 33%]',
      'tests/test_loader.py::TestLoaders::test_package_loader FAILED           [ 66%]',
      'tests/test_loader.py::TestLoaders::test_choice_loader PASSED            [100%]',
      '',
      '=========================== short test summary info ============================',
      'FAILED tests/test_loader.py::TestLoaders::test_package_loader - AssertionError',
      '========================= 1 failed, 2 passed in 0.31s ==========================',
    )
    expect(parseTestOutput(out)).toEqual({ passed: 2, failed: 1, frameworks: ['pytest'] })
  })

  it('strips ANSI colours and handles CRLF', () => {
    const out =
      '\u001b[31m\u001b[1m===== \u001b[31m1 failed\u001b[0m, \u001b[32m7 passed\u001b[0m\u001b[31m in 0.52s\u001b[0m\u001b[31m =====\u001b[0m\r\n' +
      '\u001b[1mTests:\u001b[22m       \u001b[1m\u001b[32m3 passed\u001b[39m\u001b[22m, 3 total\r\n'
    expect(parseTestOutput(out)).toEqual({ passed: 10, failed: 1, frameworks: ['pytest', 'jest'] })
  })

  it('typst line after cursor-control escapes on the same line', () => {
    expect(counts('💨 9 / 10\n\u001b[1F\u001b[0J12 passed, 1 failed, 0 skipped\n')).toEqual({ passed: 12, failed: 1 })
  })

  it('go -v: build failures count, SKIP lines do not', () => {
    const out = lines(
      '=== RUN   TestMux',
      '--- SKIP: TestMux (0.00s)',
      '=== RUN   TestTree',
      '--- PASS: TestTree (0.01s)',
      'ok  \tgithub.com/go-chi/chi/v5\t0.030s',
      'FAIL\tgithub.com/go-chi/chi/v5/middleware [build failed]',
    )
    expect(counts(out)).toEqual({ passed: 1, failed: 1 })
  })

  it('go without -v: the larger of failed packages and --- FAIL lines', () => {
    const out = lines(
      '--- FAIL: TestA (0.00s)',
      '--- FAIL: TestB (0.00s)',
      'FAIL',
      'FAIL\tgithub.com/go-chi/chi/v5\t0.012s',
      'ok  \tgithub.com/go-chi/chi/v5/middleware\t(cached)',
    )
    expect(counts(out)).toEqual({ passed: 1, failed: 2 })
  })

  it('only [no tests to run] packages: recognised but nothing passed', () => {
    const out = 'ok  \tgithub.com/go-chi/chi/v5\t0.004s [no tests to run]\n'
    expect(parseTestOutput(out)).toEqual({ passed: 0, failed: 0, frameworks: ['go-test'] })
  })

  it("jest's uncoloured FAIL file line is not a Go package", () => {
    const out = lines(
      'FAIL src/__tests__/useForm.test.tsx (7.312 s)',
      '  ● useForm › should handle submit',
      'Test Suites: 1 failed, 1 total',
      'Tests:       1 failed, 120 passed, 121 total',
      'Snapshots:   0 total',
      'Time:        8.02 s',
    )
    expect(parseTestOutput(out)).toEqual({ passed: 120, failed: 1, frameworks: ['jest'] })
  })

  it('jest all-passed line and todo', () => {
    expect(counts('Tests:       2 todo, 31 passed, 33 total')).toEqual({ passed: 31, failed: 0 })
  })

  it('real vitest run output', () => {
    const out = lines(
      ' ✓ src/__tests__/useForm.test.tsx (124 tests) 2312ms',
      ' ❯ src/__tests__/useForm/handleSubmit.test.tsx (20 tests | 1 failed) 312ms',
      '',
      ' Test Files  1 failed | 1 passed (2)',
      '      Tests  1 failed | 143 passed (144)',
      '   Start at  10:02:11',
      '   Duration  4.21s (transform 610ms, setup 0ms, collect 1.95s, tests 2.62s)',
    )
    expect(parseTestOutput(out)).toEqual({ passed: 143, failed: 1, frameworks: ['vitest'] })
  })

  it('node:test: cancelled tests count as failed; TAP reporter too', () => {
    const spec = lines('ℹ tests 5', 'ℹ suites 1', 'ℹ pass 3', 'ℹ fail 0', 'ℹ cancelled 2', 'ℹ skipped 0', 'ℹ todo 0', 'ℹ duration_ms 81.2')
    expect(counts(spec)).toEqual({ passed: 3, failed: 2 })
    const tap = lines('TAP version 13', 'ok 1 - adds', 'not ok 2 - subtracts', '1..2', '# tests 2', '# pass 1', '# fail 1', '# cancelled 0')
    expect(parseTestOutput(tap)).toEqual({ passed: 1, failed: 1, frameworks: ['node-test'] })
  })

  it('real cargo output with a doc-test binary', () => {
    const out = lines(
      'running 2 tests',
      'test eval::tests::adds ... ok',
      'test eval::tests::fails ... FAILED',
      '',
      'test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s',
      '   Doc-tests typst',
      'running 0 tests',
      'test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s',
    )
    expect(counts(out)).toEqual({ passed: 1, failed: 1 })
  })
})

describe('isTestRunPassed', () => {
  const some = { passed: 3, failed: 0, frameworks: ['pytest'] }
  it('needs exit code 0 and at least one passing test', () => {
    expect(isTestRunPassed(0, some)).toBe(true)
    expect(isTestRunPassed(1, some)).toBe(false)
    expect(isTestRunPassed(null, some)).toBe(false)
    expect(isTestRunPassed(0, { passed: 0, failed: 0, frameworks: [] })).toBe(false)
  })
})
