import { readFile } from 'node:fs/promises'

/** Parsed JSON, or null when the file is missing or unreadable (a torn write from an old tool). */
export async function readJsonIfPresent<T>(path: string): Promise<T | null> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    return null
  }
  try {
    return JSON.parse(text) as T
  } catch {
    return null
  }
}

/**
 * Parsed JSON, or null with the reason when the file exists but cannot be used (unreadable, not
 * JSON, truncated); a missing file is null without a problem.
 */
export async function readJsonChecked<T>(path: string): Promise<{ value: T | null; problem: string | null }> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return { value: null, problem: code === 'ENOENT' || code === 'ENOTDIR' ? null : `cannot be read (${code ?? 'error'})` }
  }
  try {
    return { value: JSON.parse(text) as T, problem: null }
  } catch {
    return { value: null, problem: text.trim() === '' ? 'is empty' : 'is not valid JSON (truncated or corrupt)' }
  }
}
