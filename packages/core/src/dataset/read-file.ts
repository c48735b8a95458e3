import { readFile, stat } from 'node:fs/promises'
import { CooperbenchError } from '@cooperbench/spec'

/** An optional dataset file's text, null when absent; any other failure is a DATASET_INVALID naming the path, not a bare Node error. */
export async function readOptionalText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    if (isMissing(error)) return null
    throw unreadable(path, error)
  }
}

/** Whether `path` is an existing regular file (symlinks followed). */
export async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch (error) {
    if (isMissing(error)) return false
    throw unreadable(path, error)
  }
}

/** ENOENT, or ENOTDIR when a parent component is a file: both mean "not there". */
export function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === 'ENOENT' || code === 'ENOTDIR'
}

export function unreadable(path: string, error: unknown): CooperbenchError {
  const code = (error as { code?: unknown } | null)?.code
  const reason = typeof code === 'string' ? code : error instanceof Error ? error.message : String(error)
  return new CooperbenchError('DATASET_INVALID', `cannot read ${path} (${reason})`, {
    hint: 'Check that the dataset files are readable by the current user.',
    cause: error,
  })
}
