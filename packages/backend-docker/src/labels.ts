import { CreatorLabels } from '@cooperbench/backend-kit'

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

/** The labels naming the process that created a container, and whether it still runs. */
export const creator = new CreatorLabels({ pid: DOCKER_LABELS.creatorPid, start: DOCKER_LABELS.creatorStart, host: DOCKER_LABELS.creatorHost })
