import { hostname } from 'node:os'
import { currentProcessIdentity, isProcessAlive } from '@cooperbench/backend-kit'
import { SANDBOX_LABELS } from '@cooperbench/spec'

/**
 * Labels this backend adds to every container besides the run's own (`SANDBOX_LABELS`), so
 * that `listSandboxes`/`reap` find them and can tell a leftover from a sandbox in use.
 */
export const DOCKER_LABELS = {
  /** `true` on every container this backend made; the filter for list and reap. */
  managed: 'cooperbench.managed',
  /**
   * `true` on task images this backend built. Not `managed`: containers inherit their image's
   * labels, and any container started from such an image would pass for a sandbox.
   */
  builtImage: 'cooperbench.built-image',
  /** `<repo>/<taskId>` of the sandbox (containers) or of the image (built images). */
  task: 'cooperbench.task',
  /** The creating process: pid, its start time (so a recycled pid is not taken for it), host name. */
  creatorPid: 'cooperbench.creator.pid',
  creatorStart: 'cooperbench.creator.start',
  creatorHost: 'cooperbench.creator.host',
} as const

/** Label keys under which `reap`/`listSandboxes` look for a run name. */
export const RUN_NAME_LABEL = SANDBOX_LABELS.run

/** The labels naming this process as the creator of a container. */
export function creatorLabels(): Record<string, string> {
  return {
    [DOCKER_LABELS.creatorPid]: String(process.pid),
    [DOCKER_LABELS.creatorStart]: currentProcessIdentity().pidStartTime ?? '',
    [DOCKER_LABELS.creatorHost]: hostname(),
  }
}

/**
 * Whether the process named by a container's creator labels still runs: true/false on this
 * host, null when it was made elsewhere (its pid means nothing here) or carries no creator.
 */
export function isCreatorAlive(labels: Record<string, string>): boolean | null {
  const pid = Number(labels[DOCKER_LABELS.creatorPid])
  const host = labels[DOCKER_LABELS.creatorHost]
  if (!Number.isInteger(pid) || pid <= 0 || host === undefined) return null
  const start = labels[DOCKER_LABELS.creatorStart]
  return isProcessAlive({ pid, pidStartTime: start || null, hostname: host })
}
