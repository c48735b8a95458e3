import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { PairFolder } from '@cooperbench/results'
import type { ResultRecord } from '@cooperbench/spec'
import type { RecordedPair, SettingReporter } from '@cooperbench/spec/report'
import { describe, expect, it } from 'vitest'
import { tempFolderOfThisFile } from '../../../../scripts/test/after-every.js'
import { settingPairView } from '../../src/index.js'

/** A pair folder as a setting's `pairView` reads it: its files, never one outside it, listings capped. */
async function pairWith(files: Record<string, string | Buffer>): Promise<PairFolder> {
  const dir = join(await tempFolderOfThisFile('cb-recorded-pair-'), 'relay', 'a_task', '1', 'f1_f2')
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true })
    await writeFile(join(dir, name), content)
  }
  const result = { setting: 'relay', started_at: '2026-01-01T00:00:00Z' } as ResultRecord
  return { setting: 'relay', repo: 'a_task', taskId: 1, features: [1, 2], dir, result, eval: null, unreadable: [] }
}

/** A reporter that hands the test the folder it was given. */
function seeing(use: (pair: RecordedPair) => Promise<unknown>): { relay: SettingReporter } {
  return { relay: { pairView: async (pair) => ({ sections: [], events: [], extra: await use(pair) }) as never } }
}

describe("a setting's view of a pair", () => {
  it('reads its files by name, none outside the folder; lists a folder sorted, binary files without text, a large one cut', async () => {
    const pair = await pairWith({
      'log.json': '[1]',
      'notes/b.md': 'b',
      'notes/a/deep.txt': 'deep',
      'notes/blob.bin': Buffer.from([0, 1]),
      'notes/big.txt': 'x'.repeat(300 * 1024),
    })
    const problems: string[] = []
    const view = await settingPairView(
      seeing(async (p) => ({
        log: await p.read('log.json'),
        outside: await p.read('../../../../relay/a_task/1/f1_f2/log.json'),
        missing: await p.read('nothing.json'),
        folder: await p.read('notes'),
        files: (await p.files('notes')).map((f) => [f.path, f.size, f.text?.length ?? null, f.truncated ?? false]),
        none: await p.files('nowhere'),
        escape: await p.files('..'),
      })),
      pair,
      problems,
    )
    expect((view as unknown as { extra: unknown }).extra).toEqual({
      log: '[1]',
      outside: null,
      missing: null,
      folder: null,
      files: [
        ['a/deep.txt', 4, 4, false],
        ['b.md', 1, 1, false],
        ['big.txt', 300 * 1024, 256 * 1024, true],
        ['blob.bin', 2, null, false],
      ],
      none: [],
      escape: [],
    })
    expect(problems).toEqual([])
  })

  it('lists the first 200 files of a folder and says how many it holds', async () => {
    const pair = await pairWith(Object.fromEntries(Array.from({ length: 205 }, (_, i) => [`many/f${String(i).padStart(3, '0')}.txt`, 'x'])))
    const problems: string[] = []
    const view = await settingPairView(
      seeing(async (p) => (await p.files('many')).length),
      pair,
      problems,
    )
    expect((view as unknown as { extra: unknown }).extra).toBe(200)
    expect(problems).toEqual(['many/ holds 205 files; the first 200 are listed'])
  })

  it("is none for a setting without a view or a pair still running; a failing view is a problem, the pair's records still shown", async () => {
    const pair = await pairWith({})
    expect(await settingPairView({}, pair, [])).toBeNull()
    expect(
      await settingPairView(
        seeing(async () => 1),
        { ...pair, result: null },
        [],
      ),
    ).toBeNull()
    const problems: string[] = []
    const failing = { relay: { pairView: () => Promise.reject(new Error('task_log.json exploded')) } }
    expect(await settingPairView(failing, pair, problems)).toBeNull()
    expect(problems).toEqual(['setting relay could not read the pair: task_log.json exploded'])
  })
})
