import { availableParallelism, loadavg } from 'node:os'

/**
 * Cores as test-run slots: each evaluation holds one; a free one (unused by this process's evaluations and other work, the load
 * average unless told the cores) runs one more feature's tests in another sandbox. With none free, tests run one after another.
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

/** `COOPERBENCH_TEST_RUN_CORES=N`: N cores whatever the load (1: a pair's tests in turn in one sandbox); unset, cores less the load average. */
export const machineTestRunSlots = slotsFromEnvironment(process.env.COOPERBENCH_TEST_RUN_CORES)

/** Slots for a `COOPERBENCH_TEST_RUN_CORES` value: a positive whole number of cores, else the machine's under its load. */
export function slotsFromEnvironment(value: string | undefined): TestRunSlots {
  const cores = Number(value)
  return value !== undefined && Number.isInteger(cores) && cores >= 1 ? new TestRunSlots(cores, null) : new TestRunSlots()
}
