import { randomBytes } from 'node:crypto'
import { open, rename, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { makeDirectory, readJsonIfPresent, RunFiles, runDir, writeJsonAtomic } from '@cooperbench/results'
import { CooperbenchError } from '@cooperbench/spec'
import type { SettingReporters } from '../model/report-types.js'
import { atifProblems } from './atif-validate.js'
import { type ExportedAgent, type ExportProblem, readExportedAgents } from './exported-agent.js'
import { agentFeaturesPassed } from './pair-agents.js'
import { exportScrubber } from './scrub.js'
import { toAtif } from './to-atif.js'
import { toSftRow } from './to-sft.js'

export const EXPORT_FORMATS = ['atif', 'sft'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

/** Which agents to export: every condition given must hold. */
export interface ExportFilter {
  /** Only pairs whose every feature passed. */
  passedPairs?: boolean
  /** Only agents whose own features passed (a coop pair can fail while one agent's feature passed). */
  passedFeatures?: boolean
  settings?: readonly string[]
  /** `solo`, `peer` (coop), or a setting's own role (the team's `lead`, `member`; `planner`). */
  roles?: readonly string[]
  agents?: readonly string[]
  models?: readonly string[]
}

export interface ExportRunsOptions {
  logDir: string
  runNames: string[]
  format: ExportFormat
  /** atif: one file per agent under `<outDir>/<run>/<setting>/<repo>/<task>/<pair>/`; sft: `<outDir>/train.jsonl`. */
  outDir: string
  filter?: ExportFilter
  /** A dataset folder whose path, like the runs' own, is never exported. */
  datasetDir?: string
  /** The installed settings' parts: their view of a pair gives its agents' events and roles. */
  reporters?: SettingReporters
}

export interface ExportResult {
  format: ExportFormat
  /** The files written (atif: one per trajectory; sft: the one JSONL file). */
  files: string[]
  trajectories: number
  /** Agents the filter left out (and, in sft, agents that called no model). */
  filteredOut: number
  /** Agents whose trajectory is missing or unreadable, not exported. */
  problems: ExportProblem[]
}

/** Finished runs' trajectories per agent: `atif` (validated ATIF-v1.7) or `sft` (a chat JSON line with its tools); secrets and paths scrubbed. */
export async function exportRuns(options: ExportRunsOptions): Promise<ExportResult> {
  const selected: ExportedAgent[] = []
  const problems: ExportProblem[] = []
  const datasetDirs = options.datasetDir ? [options.datasetDir] : []
  const recordedLogDirs: string[] = []
  let filteredOut = 0
  // A run named twice is exported once, as `report` reads it once.
  for (const run of new Set(options.runNames)) {
    const folder = runDir(options.logDir, run)
    const stored = await readJsonIfPresent<{ config?: { datasetDir?: unknown; logDir?: unknown } }>(join(folder, RunFiles.config))
    if (typeof stored?.config?.datasetDir === 'string') datasetDirs.push(stored.config.datasetDir)
    if (typeof stored?.config?.logDir === 'string') recordedLogDirs.push(stored.config.logDir)
    const read = await readExportedAgents(folder, run, options.reporters)
    if (read.agents.length === 0 && read.problems.length === 0) {
      throw new CooperbenchError('RUN_NOT_FOUND', `no finished pair found for run "${run}" in ${folder}`, {
        hint: `Check the name and the log dir; runs are the folders of ${options.logDir}.`,
      })
    }
    problems.push(...read.problems)
    for (const agent of read.agents) {
      // An agent that called no model (the oracle) has no model turns to train on: not a row of sft.
      if (keeps(options.filter ?? {}, agent) && (options.format !== 'sft' || agent.model !== null)) selected.push(agent)
      else filteredOut++
    }
  }
  const scrub = exportScrubber({ logDir: options.logDir, datasetDirs, others: recordedLogDirs })
  const outDir = resolve(options.outDir)
  const files = options.format === 'atif' ? await writeAtif(selected, outDir, scrub) : [await writeSft(selected, outDir, scrub)]
  return { format: options.format, files, trajectories: selected.length, filteredOut, problems }
}

function keeps(filter: ExportFilter, agent: ExportedAgent) {
  const within = (list: readonly string[] | undefined, value: string | null) => !list?.length || (value !== null && list.includes(value))
  return (
    (!filter.passedPairs || agent.verdict.pair === 'pass') &&
    (!filter.passedFeatures || agentFeaturesPassed(agent)) &&
    within(filter.settings, agent.pair.setting) &&
    within(filter.roles, agent.role) &&
    within(filter.agents, agent.framework) &&
    within(filter.models, agent.model)
  )
}

async function writeAtif(agents: ExportedAgent[], outDir: string, scrub: <T>(value: T) => T) {
  const files: string[] = []
  for (const agent of agents) {
    const document = scrub(toAtif(agent))
    const problems = atifProblems(document)
    if (problems.length > 0) {
      throw new CooperbenchError('INTERNAL', `the ATIF trajectory of ${agent.trajectoryId} breaks the format's rules: ${problems.slice(0, 3).join('; ')}`, {
        hint: 'This looks like a bug in cooperbench; rerun with --verbose and report it with the trajectory file.',
      })
    }
    const file = join(outDir, `${agent.exportPath}.atif.json`)
    await writeJsonAtomic(file, document)
    files.push(file)
  }
  return files
}

/** One JSON line per agent, streamed to a temp file renamed into place: a large export is never held whole. */
async function writeSft(agents: ExportedAgent[], outDir: string, scrub: <T>(value: T) => T) {
  await makeDirectory(outDir)
  const file = join(outDir, 'train.jsonl')
  const temp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
  const handle = await open(temp, 'w')
  try {
    for (const agent of agents) {
      const row = toSftRow(agent)
      if (row !== null) await handle.write(`${JSON.stringify(scrub(row))}\n`)
    }
    await handle.sync()
    await handle.close()
    await rename(temp, file)
  } catch (error) {
    await handle.close().catch(() => {})
    await rm(temp, { force: true })
    throw error
  }
  return file
}
