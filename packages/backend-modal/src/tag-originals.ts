import { randomBytes } from 'node:crypto'
import { mkdir, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { TagOriginal } from './tags.js'

/** The file of a run's folder naming the original of every tag Modal could not take as it was. */
export const TAG_ORIGINALS_FILE = 'modal-tags.json'

/**
 * Records, per run folder, the original key and value of each sanitised tag, in
 * `<runDir>/modal-tags.json` as `{ "<tag key>=<tag value>": { "key": …, "value": … } }`, so what
 * Modal shows (`cooperbench.pair=pallets_jinja_task_1621_1_2--3f9a…`) can be read back. The file is
 * rewritten whole (temp file and rename) after each new entry; writes of one folder are serialised.
 */
export class TagOriginals {
  private readonly runs = new Map<string, { entries: Record<string, TagOriginal>; writing: Promise<void> }>()

  async record(runDir: string, originals: Record<string, TagOriginal>, tags: Record<string, string>): Promise<void> {
    let run = this.runs.get(runDir)
    if (!run) this.runs.set(runDir, (run = { entries: {}, writing: Promise.resolve() }))
    let added = false
    for (const [tagKey, original] of Object.entries(originals)) {
      const entry = `${tagKey}=${tags[tagKey]}`
      if (run.entries[entry]) continue
      run.entries[entry] = original
      added = true
    }
    if (!added) return run.writing
    const entries = run.entries
    run.writing = run.writing
      .catch(() => {})
      .then(async () => {
        await mkdir(runDir, { recursive: true })
        const path = join(runDir, TAG_ORIGINALS_FILE)
        const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`
        await writeFile(temp, `${JSON.stringify(entries, null, 2)}\n`)
        await rename(temp, path)
      })
    return run.writing
  }
}
