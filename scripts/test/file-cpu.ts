/**
 * The CPU a test file costs: its worker's own time and that of every child process it started and
 * reaped (the CLI runs, sandboxes, git, the tasks' test runs), read from /proc/self/stat before and
 * after the file. The suite is CPU-bound on a 2-core machine, so this, not a file's wall time
 * (which counts the time it waited for the other two files), is what a file takes from the others.
 * Containers are not in it: Docker's daemon, not the test, is their parent. Each file appends one
 * line to `.vitest-cpu.jsonl` at the checkout's root; `slowest-files.mjs` prints it beside the
 * wall times.
 */
import { appendFileSync, readFileSync, rmSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)))
export const FILE_CPU_LOG = join(ROOT, '.vitest-cpu.jsonl')
/** Clock ticks per second of /proc's times (`getconf CLK_TCK`): 100 on every Linux build that matters here. */
const TICKS_PER_SECOND = 100

/** Seconds of CPU of this process (`own`) and of its reaped children and theirs; null without /proc. */
export function cpuTimesSoFar(): { own: number; children: number } | null {
  let stat: string
  try {
    stat = readFileSync('/proc/self/stat', 'utf8')
  } catch {
    return null
  }
  // The command name, in parentheses, may hold spaces: the fields are counted after its end.
  // utime, stime, cutime, cstime are fields 14–17 of stat(5); here fields[0] is field 3.
  const [utime, stime, cutime, cstime] = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .slice(11, 15)
    .map(Number) as [number, number, number, number]
  return { own: (utime + stime) / TICKS_PER_SECOND, children: (cutime + cstime) / TICKS_PER_SECOND }
}

/** Seconds of CPU this process and its reaped children have used; null where /proc is absent. */
export function cpuSecondsSoFar(): number | null {
  const times = cpuTimesSoFar()
  return times && times.own + times.children
}

/**
 * One file's line: its CPU, and its worker's so far (the worker's own and its reaped children's,
 * from its start): a worker's last line is its whole, its start and the loading of every file
 * included, which no file's own figure holds.
 */
export function recordFileCpu(file: string, cpuSeconds: number, workerSoFar: number): void {
  const round = (seconds: number) => Math.round(seconds * 100) / 100
  const line = JSON.stringify({ file: relative(ROOT, file), cpuSeconds: round(cpuSeconds), worker: process.pid, workerSoFar: round(workerSoFar) })
  // One short line per append: O_APPEND writes of it do not interleave between workers.
  appendFileSync(FILE_CPU_LOG, `${line}\n`)
}

/**
 * vitest's own process's CPU (collecting, transforming, reporting), logged at its end. Not its
 * workers': they may not have been reaped yet, so theirs comes from their files' lines.
 */
export function recordSuiteCpu(times: { own: number; children: number } | null): void {
  if (times) appendFileSync(FILE_CPU_LOG, `${JSON.stringify({ suite: true, ownSeconds: times.own })}\n`)
}

/** Starts a suite run's log afresh (the global setup). */
export function clearFileCpuLog(): void {
  rmSync(FILE_CPU_LOG, { force: true })
}
