import { open, readdir, readFile } from 'node:fs/promises'
import { isAbsolute, join, normalize, relative, sep } from 'node:path'
import type { PairFolder } from '@cooperbench/results'
import { errorMessage, type ResultRecord } from '@cooperbench/spec'
import type { RecordedFile, RecordedPair, SettingPairView } from '@cooperbench/spec/report'
import type { SettingReporters } from '../model/report-types.js'

/** A file's text read at most: a larger one is cut there (`truncated`). */
const MAX_TEXT_BYTES = 256 * 1024
/** An agent could leave thousands of files: a listing holds this many. */
const MAX_FILES = 200

/** A file of the pair folder by a name its records give (`phase1/agent1.plan`); null for one that would leave the folder. */
export function pairFile(dir: string, name: string): string | null {
  const path = normalize(name)
  return isAbsolute(path) || path === '..' || path.startsWith(`..${sep}`) ? null : join(dir, path)
}

/** Its setting's view of a finished pair (null: running, or a setting without one); what it could not read goes to `problems`. */
export async function settingPairView(reporters: SettingReporters, pair: PairFolder, problems: string[]): Promise<SettingPairView | null> {
  const pairView = reporters[pair.setting]?.pairView
  if (!pairView || !pair.result) return null
  try {
    const view = await pairView(recordedPair(pair.dir, pair.result, problems))
    problems.push(...(view.problems ?? []))
    return view
  } catch (error) {
    // A plugin's bug must not take the page or the export down: the harness's records are shown without it.
    problems.push(`setting ${pair.setting} could not read the pair: ${errorMessage(error)}`)
    return null
  }
}

function recordedPair(dir: string, result: ResultRecord, problems: string[]): RecordedPair {
  return {
    result,
    read: async (name) => {
      const path = pairFile(dir, name)
      return path === null ? null : readFile(path, 'utf8').catch(() => null)
    },
    files: async (folder) => {
      const root = pairFile(dir, folder)
      if (root === null) return []
      const entries = await readdir(root, { withFileTypes: true, recursive: true }).catch(() => [])
      const paths = entries
        .filter((entry) => entry.isFile())
        .map((entry) => join(entry.parentPath, entry.name))
        .sort()
      if (paths.length > MAX_FILES) problems.push(`${folder}/ holds ${paths.length} files; the first ${MAX_FILES} are listed`)
      const files: RecordedFile[] = []
      for (const path of paths.slice(0, MAX_FILES)) files.push(await readListed(path, relative(root, path).split(sep).join('/')))
      return files
    },
  }
}

/** A listed file: its text up to MAX_TEXT_BYTES, none for a binary one. */
async function readListed(path: string, name: string): Promise<RecordedFile> {
  const file = await open(path, 'r')
  try {
    const { size } = await file.stat()
    const { buffer, bytesRead } = await file.read({ buffer: Buffer.alloc(Math.min(size, MAX_TEXT_BYTES)), position: 0 })
    const bytes = buffer.subarray(0, bytesRead)
    const text = bytes.includes(0) ? null : bytes.toString('utf8')
    return { path: name, size, text, ...(size > MAX_TEXT_BYTES && text !== null ? { truncated: true } : {}) }
  } finally {
    await file.close()
  }
}
