import type { AgentResult, AgentSetting } from './agent.js'
import type { BackendCapabilities, SharedDir } from './backend.js'
import type { BusMessage, MessageBus } from './bus.js'
import type { EvaluationPolicy } from './evaluation-policy.js'
import type { Logger } from './logger.js'
import type { AgentSummaryRecord, PatchSource } from './records.js'
import type { Sandbox } from './sandbox.js'
import type { Task } from './task.js'
import type { AgentTeam } from './team.js'

/** The setting a run without `--setting` uses: upstream's default, two agents, one feature each. */
export const DEFAULT_SETTING = 'coop'

/**
 * A collaboration setting: the protocol by which agents work on one pair (or group) of features. It decides the seats (agents, roles,
 * what each is told), the phases in order, each phase's shared services (messaging, a git remote, folders, its own), what each seat
 * submits (a patch, an artifact such as `plan.txt`) and starts from, which patches are judged under which rule, and what result.json
 * records. The harness keeps sandboxes, supervision and limits, the bus, evaluation, records, resume, fingerprints, report and viewer.
 * One object per run, from `settings.<name>`, as agents.
 */
export interface Setting {
  readonly specificationVersion: 'setting-v1'
  readonly name: string
  /** How a run of this setting uses the harness, decided before any pair starts (see {@link SettingShape}). */
  shape(run: SettingRunFacts): SettingShape
  /**
   * Checked once before any pair starts: throws a CooperbenchError naming what this setting cannot have (a backend without live shared
   * folders, a bus without task lists, a policy it is not judged under).
   */
  preflight?(run: SettingPreflight): void | Promise<void>
  /**
   * One execution of one pair: runs its seats through `pair`, returns what result.json records. Throws only on an interruption
   * (`pair.signal`) or a failure of the harness's own services; an agent's failure is its seat's outcome.
   */
  run(pair: SettingPair): Promise<SettingOutcome>
  /** The patch files of a finished pair folder judged, and how; reads no file, as `cooperbench eval` judges folders of any earlier run. */
  judged(features: readonly number[]): JudgedPatches
}

/** The run as a setting's {@link Setting.shape} sees it. */
export interface SettingRunFacts {
  /** Agents may message each other (`--no-messaging` clears it). */
  messaging: boolean
  /** Agents may share a git remote (`--git`). */
  git: boolean
  /** Features per pair (`--agents N`, 2 by default). */
  features: number
}

/** How a run of a setting uses the harness: the run's bus, fingerprint, run name and the agent's preflight follow from it. */
export interface SettingShape {
  /** How the run's agent frames its work, for its preflight (`run.setting`); each seat says its own. */
  framing: AgentSetting
  /** Seats of one pair of `features` features (cost estimates, the infrastructure breaker's threshold, the agent's preflight). */
  agents(features: number): number
  /** Whether its agents message each other: the bus is opened for them, and the fingerprint records `messaging_enabled`. */
  messaging: boolean
  /** Whether its agents share a git remote: the fingerprint records `git_enabled`. */
  git: boolean
  /** Whether it keeps task lists on the bus (`MessageBus.openTaskList`): the bus is opened even without messaging. */
  taskLists?: boolean
  /** Words the generated run name carries after the agent's (`no-task-list`): a run of other options is never another's resume. */
  nameParts?: readonly string[]
  /** The options as records say them, snake_case (`team_features`): in config.json and the fingerprint, so other options never resume or pool. */
  record?: Record<string, unknown>
}

/** What a setting's preflight is given. */
export interface SettingPreflight {
  backend: { name: string; capabilities: BackendCapabilities }
  /** The run's bus, when the shape needs one. */
  bus: Pick<MessageBus, 'name' | 'openTaskList'> | null
  /** How merged pairs are judged (`--policy`). */
  policy: EvaluationPolicy
  /** The run's agent; `collaborates` is false when its registration says it takes part in no protocol. */
  agent: { name: string; collaborates: boolean }
  /** Where each option of the setting came from, as a message names it (`--team-no-mcp`, `COOPERBENCH_TEAM_OFF`, `settings.team.mcp in ./cooperbench.config.json`). */
  optionSource(key: string): string
}

/** One execution of one pair, given to {@link Setting.run}: its features, folder, the run's switches, and services to compose a protocol from. */
export interface SettingPair {
  readonly task: Task
  /** Ascending. */
  readonly features: readonly number[]
  /** This execution's id (8 hex): the `run_id` of result.json, the namespace of its messages. */
  readonly runId: string
  /** The setting's options for this run, validated by its schema (defaults filled in). */
  readonly options: Record<string, unknown>
  readonly run: SettingRunFacts
  /** The run's bus, under the harness's bounds; null when the shape needs none. */
  readonly bus: MessageBus | null
  readonly backend: { name: string; capabilities: BackendCapabilities }
  readonly logger: Logger
  /** Aborted on an interruption: stop, and let it throw. */
  readonly signal: AbortSignal
  /** A feature's task text (its `feature.md`). */
  featureText(featureId: number): Promise<string>
  /**
   * Runs seats at once, each in a fresh sandbox, returning when all ended (in seat order). `phase` names them on the pair's timeline
   * (absent: one phase, none recorded). Throws only on an interruption, never for an agent's failure.
   */
  runSeats(seats: readonly Seat[], phase?: string): Promise<SeatOutcome[]>
  /** A messaging channel for seats that message each other, on the run's bus (null without one); cleared when the pair ends. */
  openChannel(name?: string): Promise<Channel | null>
  /** A bare git repository every seat given it mounts and knows as the remote `name` (upstream's `--git` names it `team`); removed when the pair ends. */
  openGitRemote(name: string): Promise<GitRemote>
  /** A new host folder, writable by every user, removed when the pair ends (mount it with a {@link SharedDir}). */
  openFolder(label: string): Promise<string>
  /** Runs `dispose` when the pair ends (after its seats, whatever happened). */
  own(what: string, dispose: () => Promise<void> | void): void
  /** Writes a file of the pair's folder atomically: text as it is, anything else as JSON (2-space indent). */
  writeFile(name: string, content: unknown): Promise<void>
  /** Copies a host folder's regular files and folders (no links) into the pair's folder under `name`. */
  copyFolder(source: string, name: string): Promise<void>
}

/** A messaging channel: one bus namespace whose agents message each other. */
export interface Channel {
  readonly namespace: string
  /** Every message sent on it, each once, in send order. */
  transcript(): Promise<BusMessage[]>
}

/** The pair's shared git remote, as its seats see it. */
export interface GitRemote {
  readonly sharedDir: SharedDir
  /** The remote's name and URL inside the sandboxes (`ctx.git`). */
  readonly git: { remote: string; url: string }
}

/** One agent's run in a fresh sandbox: who it is, what it is told, what it starts from and submits. */
export interface Seat {
  /** `agent1`, `solo`, …: its mailbox name, sandbox role and `ctx.agentId`; unique among the seats run together. */
  agentId: string
  /** The feature(s) it implements, ascending (`ctx.featureIds`). */
  featureIds: number[]
  /** Its task text (`ctx.instructions`). */
  instructions: string
  /** How its agent frames the work (`ctx.setting`). */
  framing: AgentSetting
  /** A word for its part (`lead`, `planner`), on the pair's timeline. */
  role?: string
  /** Its files in the pair folder. */
  files: SeatFiles
  /** Its trajectory header between `task_id` and `model`, in order (`{ feature_id, agent_id, team_role }`); absent: `{ features, agent_id }`. */
  trajectoryHeader?: Record<string, unknown>
  /** The other agents it works with (`ctx.peers`), whether or not it may message them. */
  peers?: string[]
  /** The channel its mailbox opens on, to message its `peers`; absent: no mailbox. */
  channel?: Channel | null
  /** The shared git remote it pushes to; absent: none. */
  git?: GitRemote | null
  /** More host folders its sandbox mounts. */
  sharedDirs?: SharedDir[]
  /** An earlier seat's work, committed on the base before the agent starts (`agent`: whose, for the timeline); the seat's patch includes it. */
  startFrom?: { patch: string; agent: string }
  /** `ctx.team`. */
  team?: AgentTeam | null
  /** Run once its sandbox exists, before the agent: what the agent gets instead of the sandbox, and what to stop when it ends. */
  prepare?(sandbox: Sandbox, signal: AbortSignal): Promise<{ agentSandbox: Sandbox; stop(): Promise<void> }>
  /** Run in its sandbox after the agent ended, before the sandbox goes (a regression check); what it returns is the outcome's `after`. */
  after?(sandbox: Sandbox, signal: AbortSignal): Promise<unknown>
  /** A file of the repository it submits besides its patch (`plan.txt`): read after its run, written to `files.artifact`. */
  artifact?: string
}

/** A seat's files in the pair folder (relative names). */
export interface SeatFiles {
  trajectory: string
  patch: string
  /** Where the working-tree diff goes when the agent submitted its own patch. */
  worktreePatch: string
  /** Where the seat's artifact goes. */
  artifact?: string
}

/** How one seat ended. */
export interface SeatOutcome {
  agentId: string
  featureIds: number[]
  result: AgentResult
  /** The patch stored in `files.patch` (relative to the base commit). */
  patch: string
  patchSource: PatchSource
  /** Its summary as result.json records an agent (`status`, `cost`, `patch_lines`, …). */
  record: AgentSummaryRecord
  /** The artifact's text; null when it asked for one and none was there. */
  artifact?: string | null
  /** What `Seat.after` returned. */
  after?: unknown
}

/** What one pair execution leaves, as a setting returns it. */
export interface SettingOutcome {
  /**
   * Its keys of result.json, in order, between the times and the harness's provenance (`agents` or `agent`, `total_cost`, `total_steps`, …).
   * Every seat's outcome should be in it: readers count an agent record's `status`.
   */
  record: Record<string, unknown>
  /** Whether its agents messaged and shared a git remote (result.json's `messaging_enabled`, `git_enabled`). */
  messaging: boolean
  git: boolean
  /** Keys after those (a team's `lead_agent`, `team_features`, `metrics`). */
  recordTail?: Record<string, unknown>
}

/**
 * The patch files of a pair folder judged: `merge`, one per feature in order, merged under the run's policy; `single`, one against every
 * feature. Each says where result.json records its lines, so a patch lost from the folder is never judged as empty.
 */
export type JudgedPatches = { rule: 'merge'; patches: JudgedPatch[] } | { rule: 'single'; patch: JudgedPatch }

export interface JudgedPatch {
  file: string
  /** Whose it is, for messages (`agent2 (feature 5)`). */
  owner: string
  /** The lines result.json records for it (an agent record's `patch_lines`); null when not recorded. */
  recordedLines(result: Record<string, unknown>): number | null
}
