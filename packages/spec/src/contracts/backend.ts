import type { Logger } from './logger.js'
import type { Sandbox } from './sandbox.js'
import type { Task } from './task.js'

export interface BackendCapabilities {
  isolation: 'none' | 'process' | 'container' | 'vm'
  /** Whether sandboxes can reach the network (some task runners install packages at test time). */
  network: boolean
  snapshots: boolean
  /**
   * Where commands meet the sandbox paths. `contract` (the default): at `/workspace/repo`, `/patches`, `/usr/local/bin/runner.sh` and
   * the shared directories' own paths. `mapped` (no mount namespace): host folders; `cwd`, `writeFile` and `readFile` take the contract's
   * paths and commands find `$COOPERBENCH_REPO_DIR`, `$COOPERBENCH_PATCHES_DIR`, but a path inside a command's text is the host's:
   * `runner.sh` cannot run, so such a backend hosts agents, not evaluations.
   */
  paths?: 'contract' | 'mapped'
  /**
   * Whether it serves {@link SharedDir}s of kind `folder` (the team scratchpad): the host folder itself, live and read-write in every
   * sandbox of the team (a bind mount). Absent: no, and a team run with the scratchpad is refused before any pair starts.
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
  /** Host paths a sandbox sharing the host's filesystem must not see (the log folder, with teammates' trajectories); containers ignore it. */
  hiddenHostPaths?: string[]
  /**
   * Host directories a pair's sandboxes mount read-write at `sandboxPath`: the shared git remote (`--git`, a bare repository, kind
   * `git-remote`, under `/cooperbench/`) and a setting's folders, e.g. the team scratchpad (kind `folder`, `/workspace/shared`, only
   * with `sharedFolders`; such a backend may also get one sandbox's folder, a seat's tool spool at `/tmp/.cooperbench-tools`).
   * Mount what each spec lists. Sandboxes on other machines may get the remote another way (a git server); a folder must be the host's.
   */
  sharedDirs?: SharedDir[]
  /**
   * The agents whose sandboxes are made with this one (one phase's seats; absent for evaluations and dataset checks), all with the same
   * value: a backend placing them together (one machine for its `sharedDirs`) learns how many are coming.
   */
  group?: SandboxGroup
  /** The run's host folder (`<logDir>/<runName>`; absent outside a run), for a backend's own records (`modal-tags.json`: tags Modal refused as-is). */
  runDir?: string
  /**
   * For sandboxes that wait for a place (a pool at capacity): call it as the wait begins, the returned function as it ends. The harness's
   * bound on creating a sandbox then excludes the wait (the signal still cancels it), so `-c` above capacity does not fail queued pairs.
   */
  waitingForPlace?(): () => void
  /**
   * What the agent would otherwise set up in every sandbox of `image` (the packages its tools install), as a layer on it: a backend
   * that builds images may start the sandbox from `image` with this layer, built the first time and reused (docker: once per image
   * and layer, with the build args `BASE_IMAGE` and `IMAGE_USER`, the image's user); a failed build is logged, not fatal. Any other
   * backend starts from `image`: the agent sets up as it would, only more slowly. Agents' sandboxes only (registration `setupLayer`).
   */
  setupLayer?: ImageLayer
  /** Set when `image` has an agent's layer (`images build --agent`): built here or reported missing, never pulled (a registry's may lack it). */
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
  /** Builds or pulls every missing task image (or equivalent), for `cooperbench images build` and before a run; one entry per task. */
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
 * An image on each task image for an agent needing more in its sandbox (its own server): `<task image>` with `tagSuffix` appended to
 * the tag, from `dockerfile`, which starts with `ARG BASE_IMAGE` / `FROM ${BASE_IMAGE}` (the task image is passed in).
 */
export interface ImageLayer {
  /** Who asks for it, for messages (`agent openhands_sdk`). */
  owner: string
  tagSuffix: string
  dockerfile: string
  buildArgs?: Record<string, string>
  /**
   * argv run in each built image (no network, 60 s at most) to prove the program starts on that base: any exit but 126, 127 ("cannot run")
   * or a signal passes; else the image is removed and the build fails naming the cause (a glibc binary on musl, e.g. Alpine, exits 127).
   */
  smokeTest?: string[]
  /** Host files for the build context beside the Dockerfile (`COPY <path> …`): what the host fetched (an npm binary), as builds have no network. */
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
