import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { onTestFinished } from 'vitest'

/**
 * A throw-away project folder, removed when the current test ends: `files` maps relative paths
 * to contents (objects are written as JSON). A `.git` folder marks it as a project root, so
 * the config search stops there.
 */
export function project(files: Record<string, string | object> = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cooperbench-config-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  mkdirSync(path.join(dir, '.git'))
  writeFiles(dir, files)
  return dir
}

export function writeFiles(dir: string, files: Record<string, string | object>): void {
  for (const [name, content] of Object.entries(files)) {
    const filepath = path.join(dir, name)
    mkdirSync(path.dirname(filepath), { recursive: true })
    writeFileSync(filepath, typeof content === 'string' ? content : JSON.stringify(content, null, 2))
  }
}

/** Runs `fn` and returns the error it throws (failing the test when it does not throw). */
export async function caught(fn: () => unknown): Promise<Error & Record<string, unknown>> {
  try {
    await fn()
  } catch (error) {
    return error as Error & Record<string, unknown>
  }
  throw new Error('expected an error, but none was thrown')
}
