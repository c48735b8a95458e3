import { readFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { EvalPatches, JudgedPatch, JudgedPatches, ResultRecord } from '@cooperbench/spec'
import { PairFiles, readJsonChecked, resultShapeProblem } from '@cooperbench/results'

/** A finished pair folder's judged patches, or, when a patch its result.json records is gone, why the pair cannot be judged. */
export type PairPatches = { patches: EvalPatches; lost: null } | { patches: null; lost: string }

const REMEDY =
  "The pair is not judged on a patch that is not the agents' work: " +
  "restore the file, or run the pair again (`cooperbench run` with the run's options, filtered to this pair, and --force)"

/**
 * A finished pair's judged patches (`Setting.judged`): one file, or one per feature. Writers write each file (empty when nothing
 * changed) with its `patch_lines`. Absent, unreadable or empty while result.json records lines is `lost` (an empty patch would score
 * a fail not the agents'); recorded with no lines is empty, file or not; unrecorded is lost when absent from this harness's folder
 * (`config_hash`: it writes every judged file), empty in another tool's. An unreadable result.json is `lost` too.
 */
export async function readPairPatches(dir: string, judged: JudgedPatches): Promise<PairPatches> {
  const resultPath = join(dir, PairFiles.result)
  const { value: result, problem: unreadable } = await readJsonChecked<ResultRecord>(resultPath, resultShapeProblem)
  // Without the agents' record, a missing or empty file cannot be told from an empty patch.
  if (unreadable !== null) return { patches: null, lost: `${resultPath} ${unreadable}, so its patch files cannot be checked. ${REMEDY}` }
  const expected = judged.rule === 'merge' ? judged.patches : [judged.patch]
  const read = await Promise.all(expected.map((patch) => readJudgedPatch(dir, patch, result ?? {})))
  const problems = read.flatMap((r) => (r.problem === null ? [] : [r.problem]))
  if (problems.length > 0) return { patches: null, lost: `patch file lost: ${problems.join('; ')}. ${REMEDY}` }
  const texts = read.map((r) => r.text)
  return {
    patches: judged.rule === 'merge' ? { rule: 'merge', agents: texts } : { rule: 'single', patch: texts[0]!, file: basename(judged.patch.file) },
    lost: null,
  }
}

/** One judged file's text, and why it is lost when result.json records lines its file does not have. */
async function readJudgedPatch(dir: string, patch: JudgedPatch, result: object): Promise<{ text: string; problem: string | null }> {
  const path = join(dir, patch.file)
  const { text, why } = await readPatchFile(path)
  const recorded = patch.recordedLines(result as Record<string, unknown>)
  const gone = text === null || text === ''
  const ours = typeof (result as { config_hash?: unknown }).config_hash === 'string'
  const problem =
    gone && recorded !== null && recorded > 0
      ? `${path} ${why ?? 'is empty'}, yet result.json records a ${recorded}-line patch from ${patch.owner}`
      : text === null && recorded === null && ours
        ? `${path} (${patch.owner}'s) ${why}, yet this harness writes every judged file, empty when nothing changed: its setting names a file no seat writes, or it was removed`
        : null
  return { text: text ?? '', problem }
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
