import type { EvalRecord, ResultRecord } from './records.js'
import type { ReportSection } from './report-section.js'

/**
 * What a setting adds to `cooperbench report` and the viewer's overview (beyond its rows, deficit against solo and leaderboard rows):
 * what tells its runs apart, and its own sections from its runs as plain data, rendered by every format; and to a pair's page.
 */
export interface SettingReporter {
  /** How a run is told apart from the setting's other runs (the team's `no scratchpad`): runs of two variants are never one leaderboard row. */
  variant?(run: ReportedRun): string
  /** Its own sections, after the report's common ones (none: return []). */
  sections?(runs: readonly ReportedRun[], tools: ReportTools): ReportSection[]
  /**
   * What the viewer's pair page shows of one of its pairs beyond the harness's records (the team's task log, its scratchpad), and
   * what an export adds to each agent (its events, its role when the record names none), read from the files it wrote.
   */
  pairView?(pair: RecordedPair): Promise<SettingPairView>
}

/** One finished pair folder of the setting (a running pair has none), for {@link SettingReporter.pairView}. */
export interface RecordedPair {
  /** Its result.json. */
  result: ResultRecord
  /** A file of the folder (`task_log.json`) as text; null when absent, not a file, or outside the folder. */
  read(name: string): Promise<string | null>
  /** The regular files under a sub-folder (`scratchpad`), sorted by path: the first 200, each read up to 256 KiB; [] without it. */
  files(folder: string): Promise<RecordedFile[]>
}

export interface RecordedFile {
  /** Relative to the folder listed, `/`-separated (`tasks/_index.json`). */
  path: string
  /** Bytes. */
  size: number
  /** Its text, the first 256 KiB of a larger file (`truncated`); null for a binary file. */
  text: string | null
  truncated?: boolean
}

/** A pair as its setting shows it, as plain data: sections as the overview's, events on the pair's timeline, files to read. */
export interface SettingPairView {
  /** Rendered as the report's sections are (the team's features, metrics, task log and final tasks). */
  sections: ReportSection[]
  /** A row of the timeline under the agents' lanes: a mark per event, in its agent's colour, told apart by kind. */
  events: SettingEvent[]
  /** Files the pair left to read (the team's scratchpad at the end); `empty` says why there are none. */
  files?: { title: string; files: RecordedFile[]; empty?: string }
  /** Each agent's part, for records that name none in `phases` (folders written before phases were recorded): `{ agent1: 'lead' }`. */
  roles?: Record<string, string>
  /** The agent that coordinates the others (the team's lead): an ATIF export links the others' trajectories from its own. */
  coordinator?: string
  /** What could not be read (a file that is not the JSON expected), with why. */
  problems?: string[]
}

/** One thing the setting recorded an agent (or the harness for it) doing: a task created, claimed, updated; a request answered. */
export interface SettingEvent {
  /** Seconds since the epoch. */
  ts: number
  /** The agent it is of: whose lane's colour it takes. */
  by: string
  /** What happened (`claim`): events are told apart by kind. */
  kind: string
  /** What it happened to (a task's title). */
  label?: string
  /** More, as a reader says it (`→ done · patch in /workspace/shared/agent2.patch`). */
  detail?: string
  /** Who acted for `by` when it did not itself: `host` (the harness claimed its task when it started). */
  via?: string
  /** The other agent it concerns (assigned to, addressed to): an export gives the event to both. */
  to?: string
}

/** One run of the setting at one pair size (a row of the report), as plain data. */
export interface ReportedRun {
  run: string
  pairSize: number
  /** The setting's fingerprint from the run's config.json; null without one. */
  fingerprint: Record<string, unknown> | null
  /** How its agents could talk (`messaging`, `git`, `messaging + git`, `none`), from the fingerprint; null without one. */
  communication: string | null
  /** Its pairs judged passed and failed (an evaluation error is neither). */
  passed: number
  failed: number
  /** The policies of its verdicts (eval.json), the first the headline's, each with how its passes were made (`naive 3 (75%)`). */
  policies: Array<{ policy: string; passesBy: string }>
  /** Its pairs with a result.json (an unreadable pair is in no row); `eval` null when not evaluated. */
  pairs: ReportedPair[]
}

export interface ReportedPair {
  repo: string
  taskId: number
  features: number[]
  result: ResultRecord
  eval: EvalRecord | null
}

/** The report's own comparisons, for a setting's sections. */
export interface ReportTools {
  /** Why two runs are not comparable: their fingerprints' agent, model, limits and prompts (else their records' agent and model) that differ; [] when they are. */
  mismatch(a: ReportedRun, b: ReportedRun): string[]
  /** Two runs on the pairs both judged (pass or fail), each pair its own control. */
  paired(first: ReportedRun, second: ReportedRun): PairedComparison
}

export interface PairedComparison {
  /** Pairs judged in both: the denominator. */
  pairs: number
  /** Pairs finished in one run only, or in both but not judged in both. */
  dropped: number
  agreement: { bothPass: number; firstOnly: number; secondOnly: number; neither: number }
  /** Second rate − first rate, with Newcombe's paired 95% interval (−1 to 1 without a common pair). */
  difference: number
  low: number
  high: number
  mcnemar: { discordant: number; pValue: number; method: 'exact binomial' }
}
