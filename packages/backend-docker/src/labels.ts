import { CreatorLabels } from '@cooperbench/backend-kit'

/** Labels this backend adds to every container besides the run's own, for `listSandboxes` and `reap`. */
export const DOCKER_LABELS = {
  /** `true` on every container this backend made; the filter for list and reap. */
  managed: 'cooperbench.managed',
  /** `true` on task images this backend built (not `managed`: containers inherit their image's labels). */
  builtImage: 'cooperbench.built-image',
  /** `<repo>/<taskId>` of the sandbox (containers) or of the image (built images). */
  task: 'cooperbench.task',
  /** The creating process: pid, start time, host name. */
  creatorPid: 'cooperbench.creator.pid',
  creatorStart: 'cooperbench.creator.start',
  creatorHost: 'cooperbench.creator.host',
} as const

/** The labels naming the process that created a container, and whether it still runs. */
export const creator = new CreatorLabels({ pid: DOCKER_LABELS.creatorPid, start: DOCKER_LABELS.creatorStart, host: DOCKER_LABELS.creatorHost })
