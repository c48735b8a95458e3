#!/usr/bin/env node
// Writes scripts/test/durations.json, how long each test file took, from a vitest JSON report
// (`.vitest-report.json`, which `CI=true pnpm test` writes): the start order of a fresh clone's
// suite (scripts/test/sequencer.ts). Refresh it from a calm full run when files come, go or change
// much; a stale entry only makes the suite slower, never different.
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const reportPath = process.argv[2] ?? join(root, '.vitest-report.json')
const report = JSON.parse(readFileSync(reportPath, 'utf8'))
const durations = Object.fromEntries(
  report.testResults
    .map((file) => [relative(checkoutOf(file.name), file.name), Math.round((file.endTime - file.startTime) / 100) / 10])
    .sort(([a], [b]) => (a < b ? -1 : 1)),
)

/** The checkout the report was written in: the part of the path before packages/ or examples/. */
function checkoutOf(path) {
  const at = path.search(/\/(packages|examples)\//)
  return at < 0 ? root : path.slice(0, at)
}

const out = join(root, 'scripts', 'test', 'durations.json')
writeFileSync(`${out}.tmp`, `${JSON.stringify(durations, null, 2)}\n`)
renameSync(`${out}.tmp`, out)
console.log(
  `${Object.keys(durations).length} test files, ${Object.values(durations)
    .reduce((a, b) => a + b, 0)
    .toFixed(0)} s in all → ${relative(root, out)}`,
)
