import { readFile } from 'node:fs/promises'

/** Parsed JSON, or null when the file is missing or unreadable (a torn write from an old tool). */
export async function readJsonIfPresent<T>(path: string): Promise<T | null> {
  return (await readJsonChecked<T>(path)).value
}

/** Null with why an existing file (JSON `null` included) cannot be used: unreadable, not JSON, not `shapeProblem`'s shape; missing, with no problem. */
export async function readJsonChecked<T>(
  path: string,
  shapeProblem: (value: unknown) => string | null = nullProblem,
): Promise<{ value: T | null; problem: string | null }> {
  const { text, problem: unreadable } = await readTextChecked(path)
  if (text === null) return { value: null, problem: unreadable }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { value: null, problem: text.trim() === '' ? 'is empty' : 'is not valid JSON (truncated or corrupt)' }
  }
  const problem = shapeProblem(value)
  return problem === null ? { value: value as T, problem: null } : { value: null, problem }
}

/** A file's text; null when it is missing (no problem) or cannot be read (with why). */
export async function readTextChecked(path: string): Promise<{ text: string | null; problem: string | null }> {
  try {
    return { text: await readFile(path, 'utf8'), problem: null }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return { text: null, problem: code === 'ENOENT' || code === 'ENOTDIR' ? null : `cannot be read (${code ?? 'error'})` }
  }
}

/** The least any record file must be: something, not JSON `null`. */
function nullProblem(value: unknown): string | null {
  return value === null ? 'is not a record (it holds JSON null)' : null
}
