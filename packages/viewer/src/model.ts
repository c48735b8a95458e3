/** What the Node side hands the page, served (`/api/…`) or exported (`data/*.js`). Type-only: the browser app imports it too. */
import type { EvalVerdict } from '@cooperbench/results'
import type { RunReport, TokenCounts } from '@cooperbench/report'

import type { SettingName as Setting } from '@cooperbench/spec'
import type { ReportSection, SettingEvent, SettingPairView } from '@cooperbench/spec/report'
export type { RecordedFile, ReportSection, SettingEvent } from '@cooperbench/spec/report'
export type {
  Ablation,
  AblationVariant,
  AgreementTable,
  CategoryShare,
  Deficit,
  MergeOutcomeRate,
  RateRow,
  RefusedAblation,
  RefusedComparison,
  RunAnalysisReport,
  RunReport,
  SettingReport,
  TokenCounts,
} from '@cooperbench/report'

/** How a coop pair's patches were combined; each value is described at `mergeOutcome` (pair-summary.ts). */
export type MergeOutcome = 'clean' | 'union' | 'lead_alone' | 'failed' | 'eval_error'

/** Set by the page (`window.COOPERBENCH_VIEWER`): `live` reads the server's JSON API and polls it, `static` reads an export's `data/*.js` scripts. */
export type PageMode = { mode: 'live'; pollMs: number } | { mode: 'static' }

export interface ViewerData {
  /** ISO time the data was read. */
  readAt: string
  /** The log dir relative to where `view` started (`logs`, `../runs/logs`); an export gives its folder name only. */
  logDir: string
  runs: RunOverview[]
  /** `buildReport` over every run shown: the numbers of `cooperbench report -n …`. */
  report: RunReport
  /** Tokens per run and setting (the report has costs but no tokens); same keys as report.settings. */
  tokens: Array<{ run: string; setting: Setting; pairSize: number; tokens: TokenCounts }>
  pairs: PairSummary[]
  /** Files that exist but could not be read (torn or corrupt JSON), with why. */
  problems: string[]
}

export interface RunOverview {
  name: string
  settings: Setting[]
  agent: string | null
  model: string | null
  /** Pair folders found, finished (result.json written), and still without a result. */
  pairs: number
  finished: number
  running: number
  /** Pairs whose result.json or eval.json cannot be read: counted apart, never as running or failed. */
  unreadable: number
  /** config.json's `total_tasks` for its last setting (at least the folders found) plus its other setting's folders; without config.json, the folders. */
  planned: number
  /** No summary written since it (last) started: still going or killed. Its rates and deficits are partial. */
  unfinished: boolean
  interrupted: boolean
  /** A lower bound when `costUnknownPairs` > 0. */
  cost: number
  /** Pairs whose cost is unknown (a model without a price): shown as unknown, never $0. */
  costUnknownPairs: number
  tokens: TokenCounts
  /** The run's configuration from config.json: each setting's fingerprint and the resolved settings (secrets redacted); null without one. */
  configuration: { fingerprints: Record<string, Record<string, unknown>>; settings: Record<string, unknown> | null } | null
}

export interface PairSummary {
  /** Stable id of the pair folder (a hash of its path under the log dir). */
  id: string
  run: string
  setting: Setting
  repo: string
  taskId: number
  features: number[]
  /** `textkit_task/7 f1_f2` */
  label: string
  /** `repo/task/f1_f2` without the run: the same pair in another run has the same key. */
  key: string
  /** The failure category `cooperbench analyze` judged for this coop pair, when the run's analysis.json has one. */
  category: string | null
  /** `running`: no result.json yet; `unreadable`: result.json or eval.json cannot be read (see `problems`): state and verdict unknown. */
  state: PairState
  verdict: EvalVerdict
  merge: { status: string; strategy: string | null; outcome: MergeOutcome; policy: string | null } | null
  cost: number
  /** An agent called a model without a known price: `cost` is not the pair's cost. */
  costUnknown: boolean
  steps: number
  messages: number
  tokens: TokenCounts
  durationSeconds: number | null
  git: boolean
  agents: Array<{ id: string; featureIds: number[]; status: string | null; steps: number; cost: number; failure: string | null }>
  /** Per feature: passed or not, when evaluated. */
  tests: Array<{ featureId: number; passed: boolean; testsPassed: number; testsFailed: number }>
}

export type GitOperation = 'push' | 'fetch' | 'pull' | 'merge'

export interface Step {
  index: number
  /** Epoch seconds; estimated (spread over the pair's time) when the trajectory has no timestamps. */
  start: number
  end: number
  timed: boolean
  /** The commands the agent ran in this step (empty for a reply without a tool call). */
  commands: string[]
  /** The model's text, if any. */
  thought: string
  /** What the commands printed, as the agent saw it. */
  output: string
  returncode: number | null
  tokens: TokenCounts
  cost: number
  /** The model call had no known price: `cost` is 0 without meaning $0. */
  costUnknown: boolean
  sends: string[]
  git: GitOperation[]
  submitted: boolean
  formatError: boolean
}

export interface AgentLane {
  /** The lane's own id: its agent's, or `agent1@plan` for a seat its setting carried through phases (a lane per phase). */
  id: string
  /** The agent as records name it: `agent1` … or `solo`. */
  agentId: string
  featureIds: number[]
  status: string | null
  error: string | null
  steps: Step[]
  /** The last trajectory message when it is an exit: why the agent stopped. */
  exit: string | null
  patch: PatchView
  /** The system prompt and the task message the agent started from (its trajectory's first system and user messages). */
  systemPrompt: string | null
  task: string | null
  /** The trajectory's file name in the pair folder (`agent1_traj.json`): the raw trajectory, served and exported as it is. */
  trajectoryFile: string
  /** Its phase, when the pair's setting runs its seats in phases (result.json `phases`); null otherwise. */
  phase: string | null
  /** Its part as its setting names it (`planner`, `executor`), when it names one. */
  role: string | null
  /** The agent of an earlier phase whose patch its sandbox started from: a hand-off. */
  startedFrom: string | null
  /** The agent and model its seat named (`seats.<role>` of the configuration), when not the run's. */
  ownAgent: string | null
  ownModel: string | null
  /** What it submitted besides its patch (a `plan.txt`): the file in the pair folder and its text (null when it is missing). */
  artifact: { file: string; text: string | null } | null
}

export interface PatchView {
  text: string
  files: PatchFile[]
}

export interface PatchFile {
  path: string
  added: number
  removed: number
  /** The lines of this file's section, for rendering. */
  lines: string[]
  hunks: Array<{ header: string; oldStart: number; oldLines: number; firstLine: number }>
  /** Another agent's patch touches this file too. */
  shared: boolean
}

export interface MessageEvent {
  from: string
  to: string
  text: string
  sentAt: number | null
  /** When the recipient's trajectory shows it arriving; null when it never saw it or no trajectory tells. */
  readAt: number | null
}

/** A step whose commands act on a file of the final patches: an edit when what it ran changes the file, a read otherwise (see `fileTouches`). */
export interface FileTouch {
  path: string
  lane: string
  step: number
  /** The step's start, epoch seconds. */
  at: number
  edit: boolean
}

/** Hunks of two agents that edit overlapping lines of the base file: where a naive merge conflicts. */
export interface OverlapRegion {
  path: string
  agents: [string, string]
  /** Base-file line ranges, 1-based inclusive. */
  ranges: [[number, number], [number, number]]
}

export interface FeatureTests {
  featureId: number | null
  key: string
  passed: boolean
  exitCode: number | null
  testsPassed: number
  testsFailed: number
  /** Lines of the output that name a failing test or an error, in order. */
  failing: string[]
  output: string
}

export interface PairDetail {
  summary: PairSummary
  start: number
  end: number
  lanes: AgentLane[]
  /** The pair's phases in order (result.json `phases`) with their times: bands on the timeline; none for a pair of one phase. */
  phases: Array<{ name: string; start: number; end: number }>
  messages: MessageEvent[]
  sharedFiles: string[]
  /** Who touched which file of the final patches when, from the agents' commands. */
  fileTouches: FileTouch[]
  overlaps: OverlapRegion[]
  merge: { status: string; strategy: string | null; outcome: MergeOutcome; policy: string | null; diff: PatchView; applyStatus: Record<string, string> } | null
  /** Failing features first. */
  tests: FeatureTests[]
  evalError: string | null
  /** Files of the folder that exist but could not be read. */
  problems: string[]
  /** This pair in the run's analysis.json (`cooperbench analyze`), when it has one that covers the pair. */
  analysis: PairAnalysisView | null
  /** This pair (repo, task, features) in the solo runs the deficit compares with this coop run, with its verdict. */
  soloTwins: SoloTwin[]
  /** What the pair's setting shows of it (its registration's `report.pairView`); null for a setting without one, or a running pair. */
  setting: PairSettingView | null
}

/** A setting's view of a pair (`SettingPairView`), its events placed on the lanes. */
export interface PairSettingView {
  sections: ReportSection[]
  /** Each on the lane of its agent at its time (`lane` null: the agent has none). */
  events: Array<SettingEvent & { lane: string | null }>
  files: NonNullable<SettingPairView['files']> | null
}

/** A solo run's pair of the same task and features (see `PairDetail.soloTwins`). */
export type SoloTwin = Pick<PairSummary, 'id' | 'run' | 'verdict' | 'state'>

export type PairState = 'running' | 'finished' | 'unreadable'

/** What analysis.json says of one pair: its judged category with the quoted evidence, and its signals. */
export interface PairAnalysisView {
  judge: { model: string; prompt_version: string } | null
  category: string | null
  reason: string | null
  /** Each quote is marked with whether it occurs verbatim in what the judge was shown. */
  evidence: Array<{ source: string; quote: string; found: boolean }>
  judgeError: string | null
  /** Null when the pair's agents took no model steps (the oracle). */
  messagingStepShare: number | null
}
