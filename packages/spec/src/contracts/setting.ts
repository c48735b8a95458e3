import type { AgentResult } from './agent.js'
import type { BackendCapabilities, SharedDir } from './backend.js'
import type { BusMessage, MessageBus } from './bus.js'
import type { SeatCoordination } from './coordination.js'
import type { EvaluationPolicy } from './evaluation-policy.js'
import type { Logger } from './logger.js'
import type { AgentSummaryRecord, PatchSource } from './records.js'
import type { Sandbox } from './sandbox.js'
import type { Task } from './task.js'

/** The setting a run without `--setting` uses: upstream's default, two agents, one feature each. */
export const DEFAULT_SETTING = 'coop'

/**
 * A collaboration setting: the protocol by which agents work on one pair of features. It decides the seats (agents, roles,
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
  /** Whether its seats work beside peers (an agent's preflight renders its templates for `agent1` … `agentN`), else each alone. */
  peers: boolean
  /** Seats of one pair of `features` features, at most (cost estimates, the infrastructure breaker's threshold). */
  agents(features: number): number
  /** The roles its seats take (`Seat.role`): a config's `seats.<role>` may give each its own agent and model. */
  roles?: readonly string[]
  /** Whether its agents message each other: the bus is opened for them, and the fingerprint records `messaging_enabled`. */
  messaging: boolean
  /** Whether its agents share a git remote with `--git` (`'always'`: whatever `--git` says): the fingerprint records `git_enabled`. */
  git: boolean | 'always'
  /** Whether it keeps shared logs on the bus (`MessageBus.openLog`: a task list): the bus is opened even without messaging. */
  logs?: boolean
  /** Words the generated run name carries after the agent's (`no-task-list`): a run of other options is never another's resume. */
  nameParts?: readonly string[]
  /** The options as records say them, snake_case (`team_features`): in config.json and the fingerprint, so other options never resume or pool. */
  record?: Record<string, unknown>
}

/** What a setting's preflight is given. */
export interface SettingPreflight {
  backend: { name: string; capabilities: BackendCapabilities }
  /** The run's bus, when the shape needs one. */
  bus: Pick<MessageBus, 'name' | 'openLog'> | null
  /** How merged pairs are judged (`--policy`). */
  policy: EvaluationPolicy
  /** Every agent the run may seat: the run's (`role` null), then each role of `seats.<role>` that names its own agent or model. */
  agents: SeatAgent[]
  /** Where each option of the setting came from, as a message names it (`--team-no-mcp`, `COOPERBENCH_TEAM_OFF`, `settings.team.mcp in ./cooperbench.config.json`). */
  optionSource(key: string): string
}

/** An agent a run seats, as a setting's preflight sees it. */
export interface SeatAgent {
  /** The seat role it sits in (`seats.<role>`); null: every seat no role names. */
  role: string | null
  /** Its registered name. */
  name: string
  /** The model it calls; null for an agent that calls none. */
  model: string | null
  /** Where its prompts come from (`cooperbench-v1`; `reference-…`: it follows upstream's prompts and reads `Briefing.upstream`). */
  promptSource: string
  /** False when its registration says it takes part in no protocol (the oracle). */
  collaborates: boolean
}

/**
 * One execution of one pair, given to {@link Setting.run}: its features, folder, the run's
 * switches, and services to compose a protocol from. A plain object: a setting composed on another
 * may spread it and replace members (`{ ...pair, runSeats }`) before handing it on.
 */
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
  /**
   * Starts one seat while others run (a manager's delegation, from a tool's handler), in a fresh sandbox; `phase` as for `runSeats`.
   * Its outcome's promise rejects only on an interruption. Every seat started ends before the pair does.
   */
  startSeat(seat: Seat, phase?: string): RunningSeat
  /** The pair's instance of a service (made by its `create` on first use, once per pair; see {@link pairService}). */
  service<T>(ref: PairService<T>): Promise<T>
  /** A messaging channel for seats that message each other, on the run's bus (null without one); cleared when the pair ends. */
  openChannel(name?: string): Promise<Channel | null>
  /**
   * A bare git repository every seat given it mounts and knows as the remote `name` (upstream's `--git` names it `team`); removed when
   * the pair ends. As upstream's connector does, each seat given it pushes `main` (the base commit) and its own branch `<agentId>`
   * (tracking it, at the base commit) before its agent starts: a branch of a seat's name exists before that seat pushes any work.
   */
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
  /** A word for its part (`lead`, `planner`, `manager`), on the pair's timeline; a config's `seats.<role>` names its agent and model. */
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
  /** What else it coordinates with: a briefing, tools, a status, variables, mounts (`ctx.coordination`). */
  coordination?: SeatCoordination
  /** An earlier seat's work, committed on the base before the agent starts (`agent`: whose, for the timeline); the seat's patch includes it. */
  startFrom?: { patch: string; agent: string }
  /** Run in its sandbox after the agent ended, before the sandbox goes (a regression check); what it returns is the outcome's `after`. */
  after?(sandbox: Sandbox, outcome: SeatOutcome, signal: AbortSignal): Promise<unknown>
  /** The host's events of this seat, for a setting that acts on them (claims a task when the agent starts, closes it when it submits). */
  events?: SeatEvents
  /** A file of the repository it submits besides its patch (`plan.txt`): read after its run, written to `files.artifact`. */
  artifact?: string
  /** Its sandbox stays after its run, for {@link RunningSeat.continue}; removed when the pair ends. */
  keep?: boolean
}

/** What the host tells a setting of one seat as it happens; an event's handler failing is logged, never the seat's failure. */
export interface SeatEvents {
  /** Its agent is about to start (its sandbox made and prepared). */
  started?(seat: { agentId: string; sandbox: Sandbox; signal: AbortSignal }): Promise<void> | void
  /** Its agent submitted (the patch taken), before `after`. */
  submitted?(outcome: SeatOutcome): Promise<void> | void
  /** Its agent sent a message. */
  messageSent?(message: BusMessage): void
}

/** A seat under way ({@link SettingPair.startSeat}). */
export interface RunningSeat {
  readonly agentId: string
  /** How it ended; rejects only on an interruption. */
  readonly outcome: Promise<SeatOutcome>
  /**
   * Once it ended (a seat with `keep`), the same agent again in the same sandbox, told `next.instructions`: an agent whose registration
   * says `continues` resumes its conversation, any other starts afresh in that sandbox (the phase records `continued: false`).
   */
  continue(next: SeatContinuation, phase?: string): RunningSeat
}

/** What a continued seat changes: its next instruction and files (each phase's own), and anything else of its seat. */
export type SeatContinuation = Pick<Seat, 'instructions' | 'files'> & Partial<Pick<Seat, 'role' | 'coordination' | 'after' | 'events' | 'artifact' | 'keep'>>

/**
 * A service of a pair that several plugins share (Backstage's service refs): the team setting's task list, which a setting composed on it
 * reaches too. `create` runs once per pair, on first use; what it owns it hands to `pair.own`.
 */
export interface PairService<T> {
  /** Unique among services (`team.task-list`). */
  readonly id: string
  create(pair: SettingPair): T | Promise<T>
}

/** Declares a {@link PairService}. */
export function pairService<T>(service: PairService<T>): PairService<T> {
  return service
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
  /** The agent that ran it and the model it called (null: none), as `seats.<role>` or the run chose. */
  agent: string
  model: string | null
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
