import { hostname } from 'node:os'
import { currentProcessIdentity, isProcessAlive } from '@cooperbench/core'

/**
 * Tags this backend puts on every Modal sandbox besides the run's own labels (`SANDBOX_LABELS`),
 * so that `sandboxes list|prune --backend modal` find them and tell a leftover from one in use.
 */
export const MODAL_TAGS = {
  /** `true` on every sandbox this backend made; the filter for list and prune. */
  managed: 'cooperbench.managed',
  /** `<repo>/<taskId>` of the sandbox. */
  task: 'cooperbench.task',
  /** The creating process: pid, its start time (a recycled pid is not taken for it), host name. */
  creatorPid: 'cooperbench.creator.pid',
  creatorStart: 'cooperbench.creator.start',
  creatorHost: 'cooperbench.creator.host',
} as const

/** The tags naming this process as the creator of a sandbox. */
export function creatorTags(): Record<string, string> {
  return {
    [MODAL_TAGS.creatorPid]: String(process.pid),
    [MODAL_TAGS.creatorStart]: currentProcessIdentity().pidStartTime ?? '',
    [MODAL_TAGS.creatorHost]: hostname(),
  }
}

/**
 * Whether the process named by a sandbox's creator tags still runs: true/false when it was
 * created from this host, null when from another one (its pid means nothing here).
 */
export function isCreatorAlive(tags: Record<string, string>): boolean | null {
  const pid = Number(tags[MODAL_TAGS.creatorPid])
  const host = tags[MODAL_TAGS.creatorHost]
  if (!Number.isInteger(pid) || pid <= 0 || host === undefined) return null
  const start = tags[MODAL_TAGS.creatorStart]
  return isProcessAlive({ pid, pidStartTime: start || null, hostname: host })
}
