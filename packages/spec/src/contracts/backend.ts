import type { Logger } from './logger.js'
import type { Sandbox } from './sandbox.js'
import type { Task } from './task.js'

export interface BackendCapabilities {
  isolation: 'none' | 'process' | 'container' | 'vm'
  /** Whether sandboxes can reach the network (some task runners install packages at test time). */
  network: boolean
  snapshots: boolean
  /**
   * Where commands meet the sandbox paths. `contract` (the default): at `/workspace/repo`,
   * `/patches`, `/usr/local/bin/runner.sh` and the shared directories' paths themselves.
   * `mapped`: a backend without a mount namespace keeps them in host folders; `cwd`, `writeFile`
   * and `readFile` take the contract's paths, and commands find the folders in
   * `$COOPERBENCH_REPO_DIR` and `$COOPERBENCH_PATCHES_DIR`, but a path written inside a command's
   * text is the host's: `runner.sh` cannot run, so such a backend hosts agents, not evaluations.
   */
  paths?: 'contract' | 'mapped'
  /**
   * Whether the backend serves {@link SharedDir}s of kind `folder` (the team scratchpad): the host
   * folder itself, read-write and live in every sandbox of the team, so what one agent writes the
   * others and the harness see at once (a bind mount). Absent means no: the harness refuses a
   * team run with the scratchpad on such a backend before any pair starts.
   */
  sharedFolders?: boolean
}

export interface SandboxSpec {
  task: Task
  /** Image name by the configured template (e.g. `akhatua/cooperbench-llama-index:task17244`). */
  image: string
  /** `agent1`, `agent2`, `solo`, `eval`, `conflicts`: used in labels and logs. */
  role: string
  /** Labels that let `sandboxes prune` find leftovers: run name, run id, pair (keys in SANDBOX_LABELS). */
  labels: Record<string, string>
  /**
   * Host paths a sandbox must not see when it shares the host's filesystem (the run's log
   * folder, where a teammate's trajectory is being written). Container backends ignore it.
   */
  hiddenHostPaths?: string[]
  /**
   * Host directories every sandbox of a pair mounts read-write at `sandboxPath`: the pair's
   * shared git remote (`--git`, a bare repository, kind `git-remote`, under `/cooperbench/`), and
   * folders a setting shares, such as the team's scratchpad (kind `folder`, at `/workspace/shared`, only given
   * to a backend whose capabilities say `sharedFolders`). Such a backend may also get a folder of
   * one sandbox only: an agent's team-command spool, at `/tmp/.cooperbench-tasks`. Mount what each
   * spec lists. Backends whose sandboxes run on other machines may serve a git remote another way
   * (a git server); a folder must be the host's own.
   */
  sharedDirs?: SharedDir[]
  /**
   * The agents whose sandboxes are made together with this one (the seats of one phase of a pair;
   * absent for evaluations and dataset checks). Each carries the same group; a backend that places
   * a group together (one machine for its `sharedDirs`) learns from it how many are coming.
   */
  group?: SandboxGroup
  /**
   * The run's folder on the host (`<logDir>/<runName>`), where a backend may record what the
   * run's files need beside its own (e.g. `modal-tags.json`: tag values Modal could not take as
   * they are). Absent outside a run.
   */
  runDir?: string
  /**
   * For a backend whose sandboxes wait for a place (a pool of machines at capacity): call it when
   * such a wait begins and the returned function when it ends. The harness's bound on creating a
   * sandbox does not count the wait (the run's signal still cancels it); without it, a run with
   * `-c` above the backend's capacity would fail its queued pairs at that bound.
   */
  waitingForPlace?(): () => void
  /**
   * Set when `image` is a task image with an agent's layer (`images build --agent`): such an
   * image is built on this machine or reported missing, never pulled (a registry's image of
   * that name need not hold the agent's server).
   */
  layer?: {
    /** Who asks for it, for messages (`agent openhands_sdk`). */
    owner: string
    /** The agent as the user named it, for the `images build --agent` hint. */
    agent: string
    tagSuffix: string
  }
}

/** The agents of a pair whose sandboxes are made together, as their sandboxes see them. */
export interface SandboxGroup {
  /** This attempt of the pair (its `run_id`, the `SANDBOX_LABELS.runId` label): the same for every member. */
  runId: string
  /** The agents (`agent1`, `agent2`, …; `solo` alone), one sandbox each. */
  members: readonly string[]
}

export interface SharedDir {
  hostPath: string
  sandboxPath: string
  /** What the directory is: a bare git repository (the default), or a plain folder read live by the harness (see `BackendCapabilities.sharedFolders`). */
  kind?: 'git-remote' | 'folder'
}

/** Label keys the harness puts on every sandbox. */
export const SANDBOX_LABELS = {
  run: 'cooperbench.run',
  runId: 'cooperbench.run_id',
  pair: 'cooperbench.pair',
  role: 'cooperbench.role',
} as const

/** Whether a backend can run a task, decided before any agent starts. */
export type TaskSupport = { ok: true } | { ok: false; reason: string; hint: string }

export interface Backend {
  readonly specificationVersion: 'backend-v1'
  readonly name: string
  readonly capabilities: BackendCapabilities
  /** Throws a CooperbenchError (code BACKEND_UNAVAILABLE) naming the missing piece and the fix. */
  preflight(): Promise<void>
  /** Checked for every selected task before any pair starts; `needs.layer`: the run's images carry this agent layer (built here or missing, never pulled). */
  supportsTask(task: Task, needs?: { layer?: SandboxSpec['layer'] }): TaskSupport | Promise<TaskSupport>
  createSandbox(spec: SandboxSpec, signal?: AbortSignal): Promise<Sandbox>
  /** Removes leftover sandboxes by label; returns how many were removed. */
  reap?(filter: { runName?: string }): Promise<number>
  /** Sandboxes this backend can see (leftovers included), for `cooperbench sandboxes list`. */
  listSandboxes?(filter: { runName?: string }): Promise<SandboxInfo[]>
  /**
   * Makes sure every task's image (or equivalent) exists, building or pulling what is missing,
   * for `cooperbench images build` and before a run. Reports one entry per task.
   */
  prepareTasks?(tasks: Task[], options: PrepareTasksOptions): Promise<TaskPreparation[]>
  /** Whether each task's image exists, for `cooperbench images list`. */
  listImages?(tasks: Task[]): Promise<TaskImageInfo[]>
  /** Frees what the backend itself holds (connections, caches). */
  close?(): Promise<void>
  /** What a run is likely to cost on the platform at most, printed before it starts; null when unknown. */
  estimateCost?(work: PlannedWork): CostEstimate | null
  /** Platform usage measured so far (e.g. `vm_seconds`), written into summary.json as `backend_usage`. */
  usage?(): Record<string, number>
}

/** What a run will ask of its backend, for a cost estimate. */
export interface PlannedWork {
  /** Sandboxes the run creates: agents', and evaluations' when the run evaluates. */
  sandboxes: number
  /** The longest one may live (the agents' time limit), or null when there is none. */
  sandboxMs: number | null
  /** Pairs at once. */
  concurrency: number
}

export interface CostEstimate {
  /** US dollars. */
  usd: number
  /** How it was reached: quantities, unit price, its source. */
  detail: string
}

export interface BackendFactoryContext {
  options: Record<string, unknown>
  logger: Logger
  /** How the run names task images (`FactoryContext.images`): a backend that prepares or lists images ahead names them with it. */
  images?: { template: string; namespace: string }
}

export interface SandboxInfo {
  id: string
  labels: Record<string, string>
  /** Backend-specific state, e.g. `running`, `exited`, `orphaned`. */
  state: string
  createdAt: string | null
  /** False when the process that created it is gone (a leftover). */
  ownerAlive: boolean | null
}

/**
 * An image built on top of each task image for an agent that needs more in its sandbox (its own
 * server): `<task image>` with `tagSuffix` appended to the tag, from `dockerfile`, which starts
 * with `ARG BASE_IMAGE` / `FROM ${BASE_IMAGE}` (the task image is passed in).
 */
export interface ImageLayer {
  /** Who asks for it, for messages (`agent openhands_sdk`). */
  owner: string
  tagSuffix: string
  dockerfile: string
  buildArgs?: Record<string, string>
  /**
   * argv run in each built image (no network, 60 s at most): the layer's program must start on
   * that base. It may exit with any status except the shell's "cannot run" ones (126, 127) or
   * a signal; otherwise the layered image is removed and its build fails, naming the cause (a
   * glibc binary on a musl image, e.g. Alpine, exits 127).
   */
  smokeTest?: string[]
  /**
   * Files of this machine put in the build context beside the Dockerfile (`COPY <path> …`), so a
   * layer can add what was fetched on the host (an npm package's binary) with no network in the build.
   */
  files?: ReadonlyArray<{ path: string; hostPath: string }>
}

export interface PrepareTasksOptions {
  concurrency: number
  /** Also build this layer on each task image (what `images build --agent NAME` asks for). */
  layer?: ImageLayer
  /** Rebuild even when the image exists. */
  force?: boolean
  signal?: AbortSignal
  onProgress?(event: { task: Task; image: string; phase: 'start' | 'done'; preparation?: TaskPreparation }): void
}

export interface TaskPreparation {
  repo: string
  taskId: number
  image: string
  /** What was done: nothing (already there), pulled from a registry, or built from the task's Dockerfile. */
  action: 'present' | 'pulled' | 'built' | 'failed'
  durationMs: number
  error: string | null
}

export interface TaskImageInfo {
  repo: string
  taskId: number
  image: string
  present: boolean
  sizeBytes: number | null
  createdAt: string | null
}
