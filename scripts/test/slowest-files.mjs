#!/usr/bin/env node
// Prints the slowest test files of a suite run and their times, from a vitest JSON report
// (`.vitest-report.json`, which `CI=true pnpm test` writes; or the path given). `.ci/run` prints it
// before its final `N passed, N failed` line; `pnpm bench suite` prints it on demand.
//   node scripts/test/slowest-files.mjs [REPORT] [--top N] [--by cpu]
// A file's time is its wall time in its worker (three files run at once), so the times add up to
// more than the suite's own; the share column is of that sum. Its CPU, where the run logged it
// (`.vitest-cpu.jsonl` beside the report, see file-cpu.ts), is what it took from the other files.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'

const args = process.argv.slice(2)
const topAt = args.indexOf('--top')
const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 15
const byAt = args.indexOf('--by')
const byCpu = byAt >= 0 && args.splice(byAt, 2)[1] === 'cpu'
const reportPath = args[0] ?? join(process.cwd(), '.vitest-report.json')

let report
try {
  report = JSON.parse(readFileSync(reportPath, 'utf8'))
} catch (error) {
  console.error(`slowest-files: cannot read ${reportPath}: ${error.message}`)
  process.exit(1)
}

/** The path from the checkout's root: the part from packages/ or examples/ on. */
const shortName = (path) => {
  const at = path.search(/\/(packages|examples)\//)
  return at < 0 ? relative(process.cwd(), path) : path.slice(at + 1)
}

/** CPU seconds by file, from the log beside the report; empty when the run kept none. */
const cpuLog = join(dirname(reportPath), '.vitest-cpu.jsonl')
const cpuEntries = existsSync(cpuLog)
  ? readFileSync(cpuLog, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line))
  : []
const cpuByFile = new Map(cpuEntries.filter((entry) => entry.file).map((entry) => [shortName(`/${entry.file}`), entry.cpuSeconds]))
/** vitest's own process and its workers (their children included), logged at the suite's end. */
const suiteCpu = cpuEntries.find((entry) => entry.suite)

const files = report.testResults
  .map((file) => {
    const name = shortName(file.name)
    return { name, seconds: (file.endTime - file.startTime) / 1000, cpu: cpuByFile.get(name), tests: file.assertionResults.length }
  })
  .sort((a, b) => (byCpu ? (b.cpu ?? 0) - (a.cpu ?? 0) : b.seconds - a.seconds))
const total = files.reduce((sum, file) => sum + file.seconds, 0)
const totalCpu = files.reduce((sum, file) => sum + (file.cpu ?? 0), 0)
const wall = (Math.max(...report.testResults.map((f) => f.endTime)) - report.startTime) / 1000

const cpuNote = cpuByFile.size > 0 ? `, ${totalCpu.toFixed(0)} s of CPU in the files without containers` : ''
console.log(
  `${byCpu ? 'costliest in CPU' : 'slowest'} ${Math.min(top, files.length)} of ${files.length} test files (${total.toFixed(0)} s of file time${cpuNote}, ${wall.toFixed(0)} s of suite):`,
)
console.log('  seconds  share  cpu s  tests  file')
for (const file of files.slice(0, top)) {
  const share = `${((100 * file.seconds) / total).toFixed(1)}%`
  const cpu = file.cpu === undefined ? '-' : file.cpu.toFixed(1)
  console.log(`  ${file.seconds.toFixed(1).padStart(7)}  ${share.padStart(5)}  ${cpu.padStart(5)}  ${String(file.tests).padStart(5)}  ${file.name}`)
}
/** Each worker's CPU up to its last file's end (its start and the loading of its files included). */
const workers = new Map()
for (const entry of cpuEntries) if (entry.worker !== undefined) workers.set(entry.worker, Math.max(workers.get(entry.worker) ?? 0, entry.workerSoFar))
if (workers.size > 0) {
  const workerCpu = [...workers.values()].reduce((sum, seconds) => sum + seconds, 0)
  // What the files' own lines miss: the workers' start and the loading of each file before its first hook.
  const own = suiteCpu ? `; vitest's own process: ${suiteCpu.ownSeconds.toFixed(0)} s` : ''
  console.log(
    `  ${workers.size} workers and their children: ${workerCpu.toFixed(0)} s of CPU (${(workerCpu - totalCpu).toFixed(0)} s of it outside the files' tests: starting, loading files)${own}`,
  )
}
