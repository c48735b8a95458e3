import { hostname } from 'node:os'
import { currentProcessIdentity, isProcessAlive } from '@cooperbench/backend-kit'
import { SANDBOX_LABELS, type SandboxSpec } from '@cooperbench/spec'

/**
 * Labels this backend puts on its containers besides the run's own (`SANDBOX_LABELS`): one that
 * marks them as ours, so `listSandboxes`/`reap` find them, and the owning process, so a leftover
 * of a process that is gone can be told from a sandbox in use.
 */
export const CONTAINER_CLI_LABELS = {
  /** `container-cli` on every container this backend makes (never on images: containers inherit image labels). */
  backend: 'cooperbench.backend',
  /** `container-cli` on every image this backend builds. */
  builtBy: 'cooperbench.built-by',
  /** `<repo>/<taskId>` of the sandbox or image. */
  task: 'cooperbench.task',
  /** The creating process: pid, its start time (a recycled pid is not taken for it), host name. */
  ownerPid: 'cooperbench.owner.pid',
  ownerStart: 'cooperbench.owner.start',
  ownerHost: 'cooperbench.owner.host',
} as const

/** Value of {@link CONTAINER_CLI_LABELS.backend}. */
export const BACKEND_NAME = 'container-cli'

/** The labels naming this process as the owner of a container. */
export function ownerLabels(): Record<string, string> {
  return {
    [CONTAINER_CLI_LABELS.ownerPid]: String(process.pid),
    [CONTAINER_CLI_LABELS.ownerStart]: currentProcessIdentity().pidStartTime ?? '',
    [CONTAINER_CLI_LABELS.ownerHost]: hostname(),
  }
}

/**
 * Whether the owner named by a container's labels still runs: true/false on this host, null
 * when it ran elsewhere or the labels name none.
 */
export function isOwnerAlive(labels: Record<string, string>): boolean | null {
  const pid = Number(labels[CONTAINER_CLI_LABELS.ownerPid])
  const host = labels[CONTAINER_CLI_LABELS.ownerHost]
  if (!Number.isInteger(pid) || pid <= 0 || host === undefined) return null
  return isProcessAlive({ pid, pidStartTime: labels[CONTAINER_CLI_LABELS.ownerStart] || null, hostname: host })
}

/** Every label of a sandbox's container: the spec's, its role, ours and the owner's. */
export function sandboxLabels(spec: SandboxSpec): Record<string, string> {
  return {
    ...spec.labels,
    [SANDBOX_LABELS.role]: spec.labels[SANDBOX_LABELS.role] ?? spec.role,
    [CONTAINER_CLI_LABELS.backend]: BACKEND_NAME,
    [CONTAINER_CLI_LABELS.task]: `${spec.task.repo}/${spec.task.taskId}`,
    ...ownerLabels(),
  }
}
