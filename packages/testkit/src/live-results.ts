import { mkdir, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { afterAll, afterEach } from 'vitest'

/** What `recordLiveResults` writes after a live test file ran against the real service. */
export interface LiveResultsRecord {
  /** What was tested, e.g. `backend modal against Modal`. */
  suite: string
  /** The command that runs it, with the credentials it needs named. */
  command: string
  ran_at: string
  passed: number
  failed: number
  tests: Array<{ name: string; outcome: 'passed' | 'failed'; error?: string }>
}

/**
 * Call at the top of a live test's `describe` (one that runs only with real credentials): when
 * the file's tests have run, their outcomes are written to `file` (JSON, atomically), so the docs
 * can point to the last real result instead of a claim. Nothing is written when no test ran.
 */
export function recordLiveResults(file: string, suite: string, command: string): void {
  const tests: LiveResultsRecord['tests'] = []
  afterEach((context) => {
    const errors = context.task.result?.errors ?? []
    const error = errors[0]?.message
    tests.push({ name: context.task.name, outcome: errors.length > 0 ? 'failed' : 'passed', ...(error ? { error: error.slice(0, 500) } : {}) })
  })
  afterAll(async () => {
    if (tests.length === 0) return
    const passed = tests.filter((t) => t.outcome === 'passed').length
    const record: LiveResultsRecord = { suite, command, ran_at: new Date().toISOString(), passed, failed: tests.length - passed, tests }
    await mkdir(dirname(file), { recursive: true })
    const temporary = `${file}.${process.pid}.tmp`
    await writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`)
    await rename(temporary, file)
  })
}
