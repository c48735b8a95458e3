/**
 * The order test files start in. Files that failed last time start first, then files with no
 * known duration (new ones), as vitest's own sequencer starts them. The rest are laid out by
 * playing the suite through on its workers with their expected durations: whenever a worker is
 * free it takes the longest file left, so that the minutes-long end-to-end files do not start late
 * and end alone, except that a container-heavy file (Docker, the Modal and GCP stand-ins, which
 * all go through the one Docker daemon) waits while another one runs and lighter files remain.
 * Run together, they starve the daemon on a 2-core machine: an `echo` through `docker exec` took
 * 25 s with three of them at once, and promptness checks of conformance suites failed.
 *
 * The files are laid out project by project (the one with the longest files, e2e, first), not
 * mixed by duration: vitest keeps a worker of `isolate: false` only while the next file in its
 * queue is of the worker's own project, and otherwise stops it and starts another for that file
 * (`Pool.schedule` and `isEqualRunner` in vitest/dist/chunks/index.*.js). Mixed, the short files
 * of the two projects alternated: a CI run started 38 workers, most for 1–4 files, each paying
 * for node, vitest, the setup files and the product modules again. One after the other, each
 * worker slot changes project once. The unit files still fill the gaps the last e2e files leave.
 *
 * How long a file takes comes from vitest's own cache of the last run where there is one,
 * otherwise from `durations.json` (committed; a fresh clone, CI, has no cache). The order changes
 * how long the suite takes and how loaded the daemon is, never what it runs.
 */
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { BaseSequencer, type TestSpecification } from 'vitest/node'

/** Seconds per test file (path from the repository root), from `node scripts/test/write-durations.mjs`. */
const DURATIONS = new URL('./durations.json', import.meta.url)

/** Test files whose time goes mostly to containers (paths from the repository root). */
const CONTAINER_HEAVY: readonly RegExp[] = [
  /^packages\/cli\/test\/e2e\/(gcp|modal|docker|openhands|openhands-remote|packed-install)\.test\.ts$/,
  /^packages\/agent-cli\/test\/(claude-code|codex)\.e2e\.test\.ts$/,
  /^packages\/backend-(docker|gcp|modal)\/test\/(conformance|docker-backend|gcp-backend|batch-evaluation|vm-access|modal-backend)\.test\.ts$/,
  /^examples\/backend-container-cli\/test\/(conformance|lifecycle|images)\.test\.ts$/,
]

function isContainerHeavy(path: string): boolean {
  return CONTAINER_HEAVY.some((pattern) => pattern.test(path))
}

function committedDurations(): Record<string, number> {
  try {
    return JSON.parse(readFileSync(DURATIONS, 'utf8')) as Record<string, number>
  } catch {
    return {}
  }
}

interface PlannedFile<T> {
  item: T
  seconds: number
  heavy: boolean
  /** Where the file's project comes in the layout (0 first), from projectRanks. */
  rank: number
}

/**
 * Each project's place in the layout: the project with the longest file first, so that the
 * minutes-long e2e files start at once and the short unit files make the even end.
 */
function projectRanks(files: ReadonlyArray<{ project: string; seconds: number }>): Map<string, number> {
  const longest = new Map<string, number>()
  for (const { project, seconds } of files) longest.set(project, Math.max(longest.get(project) ?? 0, seconds))
  const order = [...longest].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
  return new Map(order.map(([project], rank) => [project, rank]))
}

/**
 * The start order that `workers` workers taking files in that order would follow under the rules
 * above, given each file's expected seconds and its project's rank.
 */
function plannedOrder<T>(files: readonly PlannedFile<T>[], workers: number): T[] {
  const left = [...files].sort((a, b) => a.rank - b.rank || b.seconds - a.seconds)
  const running: Array<{ end: number; heavy: boolean }> = []
  const order: T[] = []
  const slots = Math.max(1, workers)
  let now = 0
  while (left.length > 0) {
    if (running.length >= slots) {
      running.sort((a, b) => a.end - b.end)
      now = running.shift()!.end
      continue
    }
    const heavyRunning = running.some((file) => file.heavy)
    let at = heavyRunning ? left.findIndex((file) => !file.heavy) : 0
    if (at < 0) at = 0
    const [next] = left.splice(at, 1)
    order.push(next!.item)
    running.push({ end: now + next!.seconds, heavy: next!.heavy })
  }
  return order
}

export default class PlannedSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const committed = committedDurations()
    const root = this.ctx.config.root
    const known = files.map((spec) => {
      const path = relative(root, spec.moduleId)
      const cached = this.ctx.cache.getTestSpecificationResult(spec)
      const seconds: number | undefined = cached ? cached.duration / 1000 : committed[path]
      return { spec, path, seconds, failed: cached?.failed === true, project: spec.project.name }
    })
    const ranks = projectRanks(known.map(({ project, seconds }) => ({ project, seconds: seconds ?? 0 })))
    const rank = (project: string) => ranks.get(project) ?? 0
    // Failed and new files too start project by project (a stable sort keeps their order within one).
    const byProject = (some: typeof known) => some.sort((a, b) => rank(a.project) - rank(b.project)).map(({ spec }) => spec)
    const failed = byProject(known.filter((file) => file.failed))
    const unknown = byProject(known.filter((file) => !file.failed && file.seconds === undefined))
    const planned = known
      .filter((file) => !file.failed && file.seconds !== undefined)
      .map((file) => ({ item: file.spec, seconds: file.seconds!, heavy: isContainerHeavy(file.path), rank: rank(file.project) }))
    return [...failed, ...unknown, ...plannedOrder(planned, this.ctx.config.maxWorkers)]
  }
}
