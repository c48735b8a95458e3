/**
 * The order test files start in: longest first, so that the minutes-long end-to-end files do not
 * start late and leave one worker running alone at the end while the others idle. How long a file
 * takes comes from vitest's own cache of the last run where there is one, otherwise from
 * `durations.json` (committed; a fresh clone, CI, has no cache). Files in neither are new: they
 * start first, as vitest's own sequencer starts them. A file that failed last time also starts
 * first. The order changes how long the suite takes, never what it runs.
 */
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { BaseSequencer, type TestSpecification } from 'vitest/node'

/** Seconds per test file (path from the repository root), from `node scripts/test/write-durations.mjs`. */
const DURATIONS = new URL('./durations.json', import.meta.url)

function committedDurations(): Record<string, number> {
  try {
    return JSON.parse(readFileSync(DURATIONS, 'utf8')) as Record<string, number>
  } catch {
    return {}
  }
}

export default class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const committed = committedDurations()
    const root = this.ctx.config.root
    const expected = new Map<TestSpecification, { failed: boolean; seconds: number }>()
    for (const spec of files) {
      const cached = this.ctx.cache.getTestSpecificationResult(spec)
      const seconds = cached ? cached.duration / 1000 : (committed[relative(root, spec.moduleId)] ?? Number.POSITIVE_INFINITY)
      expected.set(spec, { failed: cached?.failed ?? false, seconds })
    }
    return [...files].sort((a, b) => {
      const x = expected.get(a)!
      const y = expected.get(b)!
      if (x.failed !== y.failed) return x.failed ? -1 : 1
      return y.seconds - x.seconds
    })
  }
}
