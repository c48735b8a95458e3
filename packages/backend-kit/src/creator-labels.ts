import { hostname } from 'node:os'
import { currentProcessIdentity, isProcessAlive } from '@cooperbench/spec-utils/host'

/** The label (or tag) keys under which a backend records the process that created a sandbox. */
export interface CreatorLabelKeys {
  pid: string
  /** The process's start time, so that a recycled pid is not taken for it. */
  start: string
  host: string
}

/** How a platform stores the creator labels. */
export interface CreatorLabelFormat {
  /** A value as the platform takes it (Modal's tag rules, GCP's label rules); default unchanged. */
  encode?: (value: string) => string
  /** Leave the start label out when the start time is unknown, instead of writing it empty. */
  omitUnknownStart?: boolean
}

/** The labels naming the process that created a sandbox: is it this process, and does it still run. */
export class CreatorLabels {
  private readonly encode: (value: string) => string

  constructor(
    readonly keys: CreatorLabelKeys,
    private readonly format: CreatorLabelFormat = {},
  ) {
    this.encode = format.encode ?? ((value) => value)
  }

  /** The labels naming this process as the creator. */
  current(): Record<string, string> {
    const start = currentProcessIdentity().pidStartTime
    return {
      [this.keys.pid]: this.encode(String(process.pid)),
      ...(start === null && this.format.omitUnknownStart ? {} : { [this.keys.start]: this.encode(start ?? '') }),
      [this.keys.host]: this.encode(hostname()),
    }
  }

  /** Whether `labels` name this very process as the creator. */
  isCurrent(labels: Record<string, string>): boolean {
    return Object.entries(this.current()).every(([key, value]) => labels[key] === value)
  }

  /** Whether the creator named by `labels` still runs; null when it ran on another host (its pid means nothing here) or none is named. */
  isAlive(labels: Record<string, string>): boolean | null {
    const pid = Number(labels[this.keys.pid])
    const stored = labels[this.keys.host]
    if (!Number.isInteger(pid) || pid <= 0 || stored === undefined) return null
    // A host name the platform could not take as it is was encoded: this host's, encoded alike, is this host.
    const host = stored === this.encode(hostname()) ? hostname() : stored
    return isProcessAlive({ pid, pidStartTime: labels[this.keys.start] || null, hostname: host })
  }
}
