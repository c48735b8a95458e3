import { availableParallelism, loadavg } from 'node:os'

/**
 * The machine's cores as slots for test runs. Every evaluation holds one while it runs (its own
 * sandbox's test runs); a free slot beyond that lets an evaluation run one more feature's tests
 * at once in a sandbox of its own. A core is free when neither this process's evaluations nor
 * other work (the load average, unless told the cores) use it; when none is, each evaluation
 * runs its tests one after another, as without slots.
 */
export class TestRunSlots {
  private busy = 0

  /** `load`: the machine's runnable processes (null: count only this process's evaluations). */
  constructor(
    readonly capacity: number = availableParallelism(),
    private readonly load: (() => number) | null = () => loadavg()[0] ?? 0,
  ) {}

  /** A slot held whatever the load (an evaluation's own sandbox); returns its release. */
  hold(): () => void {
    this.busy++
    return this.releaser()
  }

  /** A free slot, or null when every core is in use. */
  tryAcquire(): (() => void) | null {
    // The load counts this process's own test runs too: what exceeds them is other work.
    const used = Math.max(this.busy, this.load?.() ?? 0)
    if (this.busy >= this.capacity || this.capacity - used < 0.5) return null
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
 * The slots of this process's evaluations: one machine, one pool. `COOPERBENCH_TEST_RUN_CORES=N`
 * says N cores are there for test runs, whatever the load (1: every pair's test runs one after
 * another in one sandbox); unset, the machine's cores less the load average.
 */
export const machineTestRunSlots = slotsFromEnvironment(process.env.COOPERBENCH_TEST_RUN_CORES)

/** Slots for a `COOPERBENCH_TEST_RUN_CORES` value: a positive whole number of cores, else the machine's under its load. */
export function slotsFromEnvironment(value: string | undefined): TestRunSlots {
  const cores = Number(value)
  return value !== undefined && Number.isInteger(cores) && cores >= 1 ? new TestRunSlots(cores, null) : new TestRunSlots()
}
