import { join } from 'node:path'
import { type TaskManifest, CooperbenchError } from '@cooperbench/spec'
import { readOptionalText } from '@cooperbench/core/dataset'
import { shapeProblemPaths, validateTaskManifest, valueAt } from './file-shapes.js'

/** Our per-task manifest (an extension of the dataset format; the reference ignores it). */
export const MANIFEST_FILE = 'cooperbench.json'

const EXAMPLE = '{"local": {"hostTools": ["bash", "git", "python3"]}}'

/** Reads `<taskDir>/cooperbench.json`, null when absent; a malformed one is an error, since ignoring it would quietly unsupport the task on `local`. */
export async function readTaskManifest(taskDir: string): Promise<TaskManifest | null> {
  const path = join(taskDir, MANIFEST_FILE)
  const text = await readOptionalText(path)
  return text === null ? null : parseTaskManifest(text, path)
}

/** Validates the manifest shape; `path` names the file in errors. */
export function parseTaskManifest(text: string, path: string): TaskManifest {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw invalid(path, `is not valid JSON (${error instanceof Error ? error.message : String(error)})`)
  }
  const [problem] = shapeProblemPaths(validateTaskManifest, data)
  if (problem !== undefined) throw invalid(path, manifestProblem(problem, data))
  // Unknown keys are allowed: later versions may add sections this reader does not know.
  const local = (data as { local?: { hostTools: string[] } }).local
  return local === undefined ? {} : { local: { hostTools: local.hostTools } }
}

function manifestProblem(path: Array<string | number>, data: unknown): string {
  if (path.length === 0) return 'must be a JSON object'
  if (path.length === 1) return '"local" must be an object'
  if (path.length === 2) return '"local.hostTools" must be an array of tool names'
  return `"local.hostTools[${path[2]}]" must be a non-empty string, got ${JSON.stringify(valueAt(data, path))}`
}

function invalid(path: string, problem: string): CooperbenchError {
  return new CooperbenchError('DATASET_INVALID', `${path} ${problem}`, {
    hint: `Fix or delete the file; its shape is ${EXAMPLE}.`,
  })
}
