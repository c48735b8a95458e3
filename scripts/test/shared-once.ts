/**
 * A fixture built once per suite run and read by every test file that asks for it: the first
 * caller (in any worker) takes the lock and builds it; the others wait for it. Callers copy what
 * they change; the shared folder is read-only by convention.
 */
import { existsSync } from 'node:fs'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { inject } from 'vitest'

/** How long a caller waits for another worker's build before it gives up. */
const WAIT_MS = 20 * 60_000

/**
 * The folder of fixture `name`, built by `build(dir)` once per suite run. A build that failed
 * fails every caller with its message, rather than each building its own.
 */
export async function sharedOnce(name: string, build: (dir: string) => Promise<void>): Promise<string> {
  const root = inject('sharedFixturesDir')
  // Built in place (records may name the folder they were written in); `.done` says it is complete.
  const dir = join(root, name)
  const done = join(root, `${name}.done`)
  const failed = join(root, `${name}.failed`)
  let owner = false
  try {
    await mkdir(join(root, `${name}.lock`))
    owner = true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
  if (owner) {
    try {
      await mkdir(dir)
      await build(dir)
      await writeFile(done, '')
      return dir
    } catch (error) {
      await writeFile(failed, error instanceof Error ? (error.stack ?? error.message) : String(error))
      await rm(dir, { recursive: true, force: true })
      throw error
    }
  }
  for (const started = Date.now(); Date.now() - started < WAIT_MS; await new Promise((r) => setTimeout(r, 500))) {
    if (existsSync(done)) return dir
    if (existsSync(failed)) throw new Error(`the shared fixture ${name} failed to build in another test file:\n${await readFile(failed, 'utf8')}`)
  }
  throw new Error(`the shared fixture ${name} was not built within ${WAIT_MS / 60_000} minutes by the test file building it`)
}
