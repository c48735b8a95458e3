/** Lines naming a failing test or error as pytest, jest/vitest, node:test, go test, cargo or plain runners print them; not summary lines. */
const FAILING = [
  /^FAILED\s+\S/, // pytest -rA short summary
  /^ERROR\s+\S/,
  /\s(FAILED|ERROR)(\s|$)/, // pytest -v: tests/x.py::test_y FAILED
  /^\s*(✕|✗|×)\s/, // jest, vitest
  /^\s*FAIL\s+\S/, // jest file header
  /^not ok\s/, // TAP / node:test
  /^\s*--- FAIL:/, // go test
  /^test\s+\S+\s+\.\.\.\s+FAILED/, // cargo
]
const SUMMARY = /^[=\-_ ]*\d+ (passed|failed)|^=+ .* =+$|^_+ .* _+$/

export function failingLines(output: string, limit = 50): string[] {
  return output
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line !== '' && !SUMMARY.test(line.trim()) && FAILING.some((pattern) => pattern.test(line)))
    .slice(0, limit)
}
