import { existsSync } from 'node:fs'
import { bubblewrapProblem } from '@cooperbench/testkit'

/** Debian's chromium: the browser the viewer's tests drive through playwright-core. */
export const CHROMIUM = '/usr/bin/chromium'

/** Why the fixture runs (local backend) or the browser cannot run here; null when both can. */
export function missingForBrowserTests(): string | null {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is not installed (apt-get install chromium)`
  return bubblewrapProblem()
}

/** Why the fixture runs cannot be made here (they use the local backend); null when they can. */
export function missingForFixtureRuns(): string | null {
  return bubblewrapProblem()
}

/**
 * Skips the calling test with the reason; under CI (`CI` set) fails instead: there the viewer's
 * tests must run.
 */
export function requireOrSkip(problem: string | null, context: { skip: (note?: string) => void }): void {
  if (problem === null) return
  if (process.env.CI) throw new Error(`${problem}, and CI is set: the viewer's tests must run in CI`)
  context.skip(problem)
}
