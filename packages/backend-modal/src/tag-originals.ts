import { randomBytes } from 'node:crypto'
import { mkdir, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { getOrCreate } from '@cooperbench/spec-utils'
import type { TagOriginal } from './tags.js'

/** The file of a run's folder naming the original of every tag Modal could not take as it was. */
export const TAG_ORIGINALS_FILE = 'modal-tags.json'

interface RunTags {
  entries: Record<string, TagOriginal>
  /** The last write, under way or waiting for the one before it. */
  writing: Promise<void>
  /** Whether that write has not started yet: new entries ride on it instead of queueing one more. */
  waiting: boolean
}

/**
 * Records the original key and value of each sanitised tag in `<runDir>/modal-tags.json`
 * (`{ "<tag key>=<tag value>": { "key": …, "value": … } }`), rewritten whole (temp file and
 * rename). Writes of one folder are serialised; entries arriving meanwhile share the next write.
 */
export class TagOriginals {
  private readonly runs = new Map<string, RunTags>()

  /** @param write how a run's entries reach its folder (tests count the writes). */
  constructor(private readonly write: (runDir: string, entries: Record<string, TagOriginal>) => Promise<void> = writeTagOriginals) {}

  async record(runDir: string, originals: Record<string, TagOriginal>, tags: Record<string, string>): Promise<void> {
    const run = getOrCreate(this.runs, runDir, (): RunTags => ({ entries: {}, writing: Promise.resolve(), waiting: false }))
    let added = false
    for (const [tagKey, original] of Object.entries(originals)) {
      const entry = `${tagKey}=${tags[tagKey]}`
      if (run.entries[entry]) continue
      run.entries[entry] = original
      added = true
    }
    if (!added || run.waiting) return run.writing
    run.waiting = true
    run.writing = run.writing
      .catch(() => {})
      .then(() => {
        run.waiting = false
        return this.write(runDir, { ...run.entries })
      })
    return run.writing
  }
}

export async function writeTagOriginals(runDir: string, entries: Record<string, TagOriginal>): Promise<void> {
  await mkdir(runDir, { recursive: true })
  const path = join(runDir, TAG_ORIGINALS_FILE)
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`
  await writeFile(temp, `${JSON.stringify(entries, null, 2)}\n`)
  await rename(temp, path)
}
