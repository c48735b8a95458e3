import type { RelativeDeficitEstimate } from '@cooperbench/report'

/**
 * `cooperbench leaderboard`'s site as data: one submission per bundle of the folder, in the order of
 * their file names. `leaderboard.json` holds it; `index.html` is written from it.
 */
export interface LeaderboardSite {
  /** The cooperbench that verified the bundles and wrote the site. */
  cooperbenchVersion: string
  createdAt: string
  submissions: LeaderboardSubmission[]
}

/** A bundle's part of the site: its rows when it verified, else only why it did not. */
export interface LeaderboardSubmission {
  /** The bundle's file name in the folder. */
  bundle: string
  verification: BundleVerification
  /** Its runs' static viewer, relative to the site's index.html; null when it did not verify. */
  viewer: string | null
  /** A row per run and setting of the bundle; none when it did not verify (its figures are not shown). */
  rows: SubmissionRow[]
}

export type BundleVerification =
  /** `signer`: `sha256:<hex>` of the key that signed bundle.json; null when unsigned. */
  | { verified: true; signer: string | null; pairs: number; figures: number }
  /** `reason`: the one line `cooperbench verify` ends with (the first file, pair or figure that differs). */
  | { verified: false; reason: string }

/** A run and setting of a verified bundle, with the figures `cooperbench report` gives it. */
export interface SubmissionRow {
  run: string
  setting: string
  pairSize: number
  /** What tells the run apart from its setting's others (the team's `no scratchpad`), when its setting names it. */
  variant: string | null
  /** As the bundle's claim states them; per seat role when a seat ran another agent or model. */
  agent: string
  model: string
  /** Pairs with a pass or fail verdict: the denominator of the rate. */
  judged: number
  passed: number
  rate: number | null
  ci: { low: number; high: number } | null
  /** Against the solo run (of any verified bundle) with most common judged pairs; null without one. */
  deficit: SubmissionDeficit | null
  /**
   * The share of the bundle's reruns (`leaderboard --rerun K`, as `verify --rerun`) whose verdict
   * was the bundle's, over those that reached one; null without reruns: the page says "—".
   */
  rerunAgreement: number | null
}

/** The relative coordination deficit of a row against a solo run, as `cooperbench report` computes it. */
export interface SubmissionDeficit {
  /** The solo side: its bundle's file name and run. */
  soloBundle: string
  soloRun: string
  /** Pairs judged in both runs: the denominator of the comparison. */
  pairs: number
  relative: RelativeDeficitEstimate
}
