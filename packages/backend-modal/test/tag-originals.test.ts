import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { TAG_ORIGINALS_FILE, TagOriginals, writeTagOriginals } from '../src/tag-originals.js'
import type { TagOriginal } from '../src/tags.js'

const pairTag = (i: number) => ({ originals: { p: { key: 'cooperbench.pair', value: `repo/task/${i}` } }, tags: { p: `repo_task_${i}` } })

describe('TagOriginals', () => {
  it('records the entries of many pairs starting at once in a few writes, the last holding them all', async () => {
    const writes: Record<string, TagOriginal>[] = []
    const tagOriginals = new TagOriginals(async (_dir, entries) => {
      await sleep(5)
      writes.push(entries)
    })
    await Promise.all(Array.from({ length: 1000 }, (_, i) => tagOriginals.record('/run', pairTag(i).originals, pairTag(i).tags)))
    expect(writes.length).toBeLessThanOrEqual(2)
    expect(Object.keys(writes.at(-1)!)).toHaveLength(1000)
    // An entry already recorded costs no write; a new one after the others have landed costs one.
    await tagOriginals.record('/run', pairTag(3).originals, pairTag(3).tags)
    expect(writes.length).toBeLessThanOrEqual(2)
    await tagOriginals.record('/run', pairTag(1000).originals, pairTag(1000).tags)
    expect(Object.keys(writes.at(-1)!)).toHaveLength(1001)
  })

  it('resolves each record only once a write holding its entry has landed, and writes the run folder atomically', async () => {
    const runDir = await mkdtemp(join(tmpdir(), 'cb-tag-originals-'))
    try {
      const tagOriginals = new TagOriginals(writeTagOriginals)
      const first = tagOriginals.record(runDir, pairTag(1).originals, pairTag(1).tags)
      const second = tagOriginals.record(runDir, pairTag(2).originals, pairTag(2).tags)
      await second
      const onDisk = JSON.parse(await readFile(join(runDir, TAG_ORIGINALS_FILE), 'utf8'))
      expect(onDisk).toEqual({
        'p=repo_task_1': { key: 'cooperbench.pair', value: 'repo/task/1' },
        'p=repo_task_2': { key: 'cooperbench.pair', value: 'repo/task/2' },
      })
      await first
    } finally {
      await rm(runDir, { recursive: true, force: true })
    }
  })
})
