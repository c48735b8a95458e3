import { randomBytes } from 'node:crypto'
import { open, rename, rm } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileSystemError, makeDirectory, makeDirectoryOwned, runDir, writeJsonAtomic } from '@cooperbench/results'
import { CooperbenchError } from '@cooperbench/spec'
import type { SettingReporters } from '../model/report-types.js'
import { atifProblems } from './atif-validate.js'
import { type ExportedAgent, type ExportProblem, readExportedAgents } from './exported-agent.js'
import { agentFeaturesPassed } from './pair-agents.js'
import { exportScrubber, runHostFolders } from './scrub.js'
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
  /** Stops the export (Ctrl+C): it writes nothing, and what it had half-written is removed. */
  signal?: AbortSignal
}

export interface ExportResult {
  format: ExportFormat
  /** The files written (atif: one per trajectory; sft: the one JSONL file). */
  files: string[]
  trajectories: number
  /** Agents the filter left out (and, in sft, agents without a model turn: the oracle). */
  filteredOut: number
  /** Agents whose trajectory is missing or unreadable, not exported. */
  problems: ExportProblem[]
}

/**
 * Finished runs' trajectories per agent: `atif` (validated ATIF-v1.7) or `sft` (a chat JSON line with its tools); secrets and paths
 * scrubbed. Read and written one agent at a time; all or nothing: files appear once every agent is written, and an export that
 * fails or is stopped (`signal`) leaves no file nor folder of its own behind.
 */
export async function exportRuns(options: ExportRunsOptions): Promise<ExportResult> {
  const runNames = [...new Set(options.runNames)]
  const scrub = exportScrubber(await runHostFolders(options.logDir, runNames, options.datasetDir ? [options.datasetDir] : []))
  const outDir = resolve(options.outDir)
  const folders = await makeDirectoryOwned(outDir)
  let output: ExportOutput | undefined
  const problems: ExportProblem[] = []
  let trajectories = 0
  let filteredOut = 0
  try {
    output = options.format === 'atif' ? atifOutput(outDir, scrub) : await sftOutput(outDir, scrub)
    // A run named twice is exported once, as `report` reads it once.
    for (const run of runNames) {
      const folder = runDir(options.logDir, run)
      let found = 0
      for await (const read of readExportedAgents(folder, run, options.reporters)) {
        options.signal?.throwIfAborted()
        found++
        if ('problem' in read) problems.push(read)
        else if (keeps(options.filter ?? {}, read) && (await output.add(read))) trajectories++
        else filteredOut++
      }
      if (found === 0) {
        throw new CooperbenchError('RUN_NOT_FOUND', `no finished pair found for run "${run}" in ${folder}`, {
          hint: `Check the name and the log dir; runs are the folders of ${options.logDir}.`,
        })
      }
    }
    options.signal?.throwIfAborted()
    return { format: options.format, files: await output.commit(), trajectories, filteredOut, problems }
  } catch (error) {
    await output?.discard()
    await folders.removeIfEmpty()
    throw error
  }
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

/** Where an export's agents go while it runs, in its own temp file or folder: moved into place by `commit`, else removed. */
interface ExportOutput {
  /** Writes the agent; false when the format has nothing of it (an sft row needs a model turn). */
  add(agent: ExportedAgent): Promise<boolean>
  commit(): Promise<string[]>
  discard(): Promise<void>
}

/** A temp name beside `path` that `removeDeadWritersTemps` knows (`<path>.tmp-<pid>-<8 hex>`). */
const tempBeside = (path: string) => `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`

/** One ATIF file per agent, validated, staged in a temp folder of `outDir` and moved to `<outDir>/<agent's export path>.atif.json`. */
function atifOutput(outDir: string, scrub: <T>(value: T) => T): ExportOutput {
  const staging = tempBeside(join(outDir, '.atif'))
  const staged: string[] = []
  return {
    async add(agent) {
      const document = scrub(toAtif(agent))
      const problems = atifProblems(document)
      if (problems.length > 0) {
        throw new CooperbenchError('INTERNAL', `the ATIF trajectory of ${agent.trajectoryId} breaks the format's rules: ${problems.slice(0, 3).join('; ')}`, {
          hint: 'This looks like a bug in cooperbench; rerun with --verbose and report it with the trajectory file.',
        })
      }
      const path = `${agent.exportPath}.atif.json`
      await writeJsonAtomic(join(staging, path), document)
      staged.push(path)
      return true
    },
    async commit() {
      const files: string[] = []
      for (const path of staged) {
        const file = join(outDir, path)
        await makeDirectory(dirname(file))
        await rename(join(staging, path), file)
        files.push(file)
      }
      await rm(staging, { recursive: true, force: true })
      return files
    },
    discard: () => rm(staging, { recursive: true, force: true }),
  }
}

/** One JSON line per agent with a model turn, streamed to a temp file renamed to `<outDir>/train.jsonl`. */
async function sftOutput(outDir: string, scrub: <T>(value: T) => T): Promise<ExportOutput> {
  const file = join(outDir, 'train.jsonl')
  const temp = tempBeside(file)
  const handle = await open(temp, 'w').catch((error: unknown) => {
    throw fileSystemError(error, 'write', file)
  })
  return {
    async add(agent) {
      const row = toSftRow(agent)
      if (row === null) return false
      await handle.write(`${JSON.stringify(scrub(row))}\n`)
      return true
    },
    async commit() {
      await handle.sync()
      await handle.close()
      await rename(temp, file)
      return [file]
    },
    async discard() {
      await handle.close().catch(() => {})
      await rm(temp, { force: true })
    },
  }
}
