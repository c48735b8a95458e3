import { resolve } from 'node:path'
import type { PairFolder } from '@cooperbench/results'
import { pairFile, pairKey, type SettingReporters, type UnknownCostMemo } from '@cooperbench/report'
import { type PathDisplay, shownPath, withShownPaths } from './host-paths.js'
import type { PairDetail, ViewerData } from './model.js'
import { type LoadedRun, loadRun, viewerData } from './overview.js'
import { loadPairDetail, pairSeats } from './pair-detail.js'
import { pairId } from './pair-summary.js'
import { selectRuns } from './run-folders.js'

export interface ViewerSourceOptions {
  /** The log root; runs are its folders. Default `logs` under the working directory. */
  logDir?: string
  /** Run names to show; all runs of the log dir when empty. */
  runs?: readonly string[]
  /** Reuse a read this long (ms; default 1500, at least five times the last read) so polling pages do not re-read big runs. */
  maxAgeMs?: number
  /** The solo and the coop run whose deficit to show (both or neither); they are read even when not in `runs`. */
  compare?: { solo: string; coop: string }
  /** How the page names local folders: relative to a folder (default: where `view` started) or `names-only` (exports). */
  paths?: PathDisplay
  /** The installed settings' parts of the overview (their rows' variants and own sections) and of their pairs' pages, by setting. */
  reporters?: SettingReporters
}

/** The run folders as they are: each call sees pairs finished since the last (within `maxAgeMs`); without named runs, new runs too. */
export class ViewerSource {
  readonly logDir: string
  /** The log dir as the page names it (relative to where `view` started; an export never names this machine's paths). */
  private readonly shownLogDir: string
  private readonly paths: PathDisplay
  private readonly names: readonly string[] | undefined
  private readonly maxAgeMs: number
  private readonly compare: { solo: string; coop: string } | undefined
  private readonly reporters: SettingReporters
  private latest: { at: number; runs: LoadedRun[]; data: ViewerData; byId: Map<string, { run: string; pair: PairFolder }> } | null = null
  private lastReadMs = 0
  private pending: Promise<NonNullable<ViewerSource['latest']>> | null = null
  /** Finished pairs' unknown-cost flags: each poll re-reads result.json, not every trajectory. */
  private readonly unknownCost: UnknownCostMemo = new Map()

  constructor(options: ViewerSourceOptions = {}) {
    this.logDir = resolve(options.logDir ?? 'logs')
    this.paths = options.paths ?? { relativeTo: process.cwd() }
    this.shownLogDir = shownPath(this.logDir, this.paths)
    this.compare = options.compare
    this.reporters = options.reporters ?? {}
    // Named runs to compare are shown too; without any name every run is, and so are they.
    const compared = options.compare ? [options.compare.solo, options.compare.coop] : []
    this.names = options.runs?.length ? [...new Set([...options.runs, ...compared])] : undefined
    this.maxAgeMs = options.maxAgeMs ?? 1500
  }

  /** Fails with RUN_NOT_FOUND for a missing log dir or run, RUN_CONFIG_MISMATCH when the runs named to compare are not comparable. */
  async check(): Promise<string[]> {
    const names = await selectRuns(this.logDir, this.names)
    if (this.compare) {
      for (const name of [this.compare.solo, this.compare.coop]) await selectRuns(this.logDir, [name])
      await this.read(true)
    }
    return names
  }

  async data(): Promise<ViewerData> {
    return (await this.read()).data
  }

  /** The pair page's data, or null for an id no shown run has. */
  async pair(id: string): Promise<PairDetail | null> {
    let read = await this.read()
    if (!read.byId.has(id)) read = await this.read(true)
    const found = read.byId.get(id)
    if (!found) return null
    const analysis = read.runs.find((r) => r.name === found.run)?.analysis ?? null
    const key = pairKey(found.pair)
    // Only the solo runs the deficit compares with this run: a solo run of another model is no twin.
    const comparable = new Set(
      read.data.report.deficits
        .filter((d) => d.coopRun === found.run && d.setting === found.pair.setting && d.pairSize === found.pair.features.length)
        .map((d) => d.soloRun),
    )
    const soloTwins =
      found.pair.setting !== 'solo'
        ? read.data.pairs
            .filter((other) => other.setting === 'solo' && other.key === key && comparable.has(other.run))
            .map((other) => ({ id: other.id, run: other.run, verdict: other.verdict, state: other.state }))
        : []
    return loadPairDetail(this.logDir, found.run, found.pair, { analysis, soloTwins, reporters: this.reporters })
  }

  /** A pair's raw trajectory file, or null for an unknown pair or a name not among its seats' trajectories (nothing else is served). */
  async trajectoryFile(id: string, name: string): Promise<string | null> {
    const found = (await this.read()).byId.get(id)
    if (!found || !pairSeats(found.pair).some((seat) => seat.trajectory === name)) return null
    return pairFile(found.pair.dir, name)
  }

  /** Every pair id of the last read, for an export. */
  async pairIds(): Promise<string[]> {
    return [...(await this.read()).byId.keys()]
  }

  private async read(fresh = false): Promise<NonNullable<ViewerSource['latest']>> {
    if (!fresh && this.latest && Date.now() - this.latest.at < Math.max(this.maxAgeMs, 5 * this.lastReadMs)) return this.latest
    this.pending ??= (async () => {
      const started = Date.now()
      try {
        const names = await selectRuns(this.logDir, this.names)
        const runs: LoadedRun[] = []
        for (const name of names) runs.push(await loadRun(this.logDir, name, this.unknownCost))
        const byId = new Map<string, { run: string; pair: PairFolder }>()
        for (const run of runs) for (const pair of run.pairs) byId.set(pairId(this.logDir, pair.dir), { run: run.name, pair })
        this.latest = {
          at: Date.now(),
          runs,
          data: withShownPaths(viewerData(this.logDir, runs, this.shownLogDir, this.compare ?? {}, this.reporters), this.paths),
          byId,
        }
        this.lastReadMs = this.maxAgeMs === 0 ? 0 : Date.now() - started
        return this.latest
      } finally {
        this.pending = null
      }
    })()
    return this.pending
  }
}
