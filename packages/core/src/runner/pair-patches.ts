import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { AgentSummaryRecord, CoopAgentRecord, EvalPatches, ResultRecord, Setting } from '@cooperbench/spec'
import { PairFiles } from '../results/layout.js'
import { readJsonChecked } from '../results/read-json.js'
import { resultShapeProblem } from '../results/record-shape.js'

/** A finished pair folder's patches, or, when a patch its result.json records is gone, why the pair cannot be judged. */
export type PairPatches = { patches: EvalPatches; lost: null } | { patches: null; lost: string }

const REMEDY =
  "The pair is not judged on a patch that is not the agents' work: " +
  "restore the file, or run the pair again (`cooperbench run` with the run's options, filtered to this pair, and --force)"

/** A pair folder as the evaluation finds it: its setting, ascending features and folder. */
export interface PairPatchFolder {
  setting: Setting
  features: readonly number[]
  dir: string
}

/** One patch file a pair folder should hold: whose it is and how many lines result.json says it has (null: not recorded). */
interface ExpectedPatch {
  file: string
  agent: string
  recordedLines: number | null
}

/**
 * The patches of a finished pair folder: `solo.patch`, or one `agent<feature id>.patch` per agent
 * in feature order (a team's are a coop pair's). Every writer, ours and the reference's, writes each
 * file, empty when the agent changed nothing, and records its `patch_lines` in result.json. A file
 * that is absent, unreadable or empty while result.json records lines in it is lost: judging the
 * pair on an empty patch in its place would score as the agents' a fail that is not their work, so
 * the pair gets `lost` (what is gone, and what to do) instead. A patch recorded with no lines is
 * empty whether or not its file is there; one whose lines are not recorded (another tool's
 * result.json) reads as empty when absent, as before. An unreadable result.json is `lost` too: the
 * files cannot be checked against it.
 */
export async function readPairPatches(pair: PairPatchFolder): Promise<PairPatches> {
  const resultPath = join(pair.dir, PairFiles.result)
  const { value: result, problem: unreadable } = await readJsonChecked<ResultRecord>(resultPath, resultShapeProblem)
  // Without the agents' record, a missing or empty file cannot be told from an empty patch.
  if (unreadable !== null) return { patches: null, lost: `${resultPath} ${unreadable}, so its patch files cannot be checked. ${REMEDY}` }
  const expected = expectedPatches(pair, result)
  const read = await Promise.all(
    expected.map(async ({ file, agent, recordedLines }) => {
      const path = join(pair.dir, file)
      const { text, why } = await readPatchFile(path)
      const gone = text === null || text === ''
      const problem =
        gone && recordedLines !== null && recordedLines > 0
          ? `${path} ${why ?? 'is empty'}, yet result.json records a ${recordedLines}-line patch from ${agent}`
          : null
      return { text: text ?? '', problem }
    }),
  )
  const texts = read.map((r) => r.text)
  // In feature order, as the files are expected.
  const problems = read.flatMap((r) => (r.problem === null ? [] : [r.problem]))
  if (problems.length > 0) {
    return { patches: null, lost: `patch file lost: ${problems.join('; ')}. ${REMEDY}` }
  }
  if (pair.setting === 'solo') return { patches: { setting: 'solo', solo: texts[0]! }, lost: null }
  return { patches: { setting: 'coop', agents: texts }, lost: null }
}

/** The patch files of the pair, with the agent and line count result.json records for each. */
function expectedPatches(pair: PairPatchFolder, result: ResultRecord | null): ExpectedPatch[] {
  if (pair.setting === 'solo') {
    const agent = result?.setting === 'solo' ? result.agent : undefined
    return [{ file: PairFiles.soloPatch, agent: 'the solo agent', recordedLines: recordedLinesOf(agent) }]
  }
  const agents = result !== null && result.setting !== 'solo' && isObject(result.agents) ? Object.entries(result.agents) : []
  return pair.features.map((featureId, index) => {
    // Files are named by feature id, agents by index (agent1 implemented the first feature): the
    // record is the one naming the feature, else (a record without feature_id) the index's.
    const [key, record] =
      agents.find(([, r]) => isObject(r) && r.feature_id === featureId) ??
      agents.find(([key, r]) => key === `agent${index + 1}` && isObject(r) && r.feature_id === undefined) ??
      ([`agent${index + 1}`, undefined] as const)
    return { file: PairFiles.agentPatch(featureId), agent: `${key} (feature ${featureId})`, recordedLines: recordedLinesOf(record) }
  })
}

function recordedLinesOf(record: AgentSummaryRecord | CoopAgentRecord | undefined): number | null {
  const lines = isObject(record) ? record.patch_lines : undefined
  return typeof lines === 'number' && Number.isFinite(lines) ? lines : null
}

/** The file's text, or null with why it is not there. */
async function readPatchFile(path: string): Promise<{ text: string; why: null } | { text: null; why: string }> {
  try {
    return { text: await readFile(path, 'utf8'), why: null }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return { text: null, why: code === 'ENOENT' ? 'is missing' : `cannot be read (${code ?? 'error'})` }
  }
}

function isObject<T>(value: T | undefined | null): value is T {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
