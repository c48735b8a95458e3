import { availableParallelism } from 'node:os'

/**
 * The machine's cores as slots for test runs. Every evaluation holds one while it runs (its own
 * sandbox's test runs); a free slot beyond that lets an evaluation run one more feature's tests
 * at once in a sandbox of its own. When as many evaluations run as there are cores, none is
 * granted and each runs its tests one after another, as without slots.
 */
export class TestRunSlots {
  private busy = 0

  constructor(readonly capacity: number = availableParallelism()) {}

  /** A slot held whatever the load (an evaluation's own sandbox); returns its release. */
  hold(): () => void {
    this.busy++
    return this.releaser()
  }

  /** A free slot, or null when every core is in use. */
  tryAcquire(): (() => void) | null {
    if (this.busy >= this.capacity) return null
    this.busy++
    return this.releaser()
  }

  get inUse(): number {
    return this.busy
  }

  private releaser(): () => void {
    let released = false
    return () => {
      if (released) return
      released = true
      this.busy--
    }
  }
}

/**
 * The slots of this process's evaluations: one machine, one pool. `COOPERBENCH_TEST_RUN_CORES`
 * sets how many cores count (1: every pair's test runs one after another in one sandbox).
 */
export const machineTestRunSlots = new TestRunSlots(coresFromEnvironment(process.env.COOPERBENCH_TEST_RUN_CORES))

/** A positive whole number of cores from the environment, else the machine's. */
export function coresFromEnvironment(value: string | undefined): number {
  const cores = Number(value)
  return value !== undefined && Number.isInteger(cores) && cores >= 1 ? cores : availableParallelism()
}
