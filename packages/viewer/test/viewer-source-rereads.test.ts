import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { ViewerSource } from '../src/index.js'
import { writeCoopRun } from './support/written-runs.js'

let logDir: string | undefined
afterAll(async () => {
  if (logDir) await rm(logDir, { recursive: true, force: true })
})

it("re-reading a run does not open its finished pairs' trajectories again for their unknown cost", async () => {
  logDir = await mkdtemp(join(tmpdir(), 'cb-viewer-rereads-'))
  await writeCoopRun(logDir, { name: 'unpriced', messaging: false, priced: false, pairs: [{ task: 1, pass: true }] })
  const source = new ViewerSource({ logDir, maxAgeMs: 0 })
  expect((await source.data()).runs[0]!.costUnknownPairs).toBe(1)
  // Only what the first read found can still tell: the trajectories are gone.
  const pair = join(logDir, 'unpriced', 'coop', 'textkit_task', '1', 'f1_f2')
  await Promise.all(['agent1_traj.json', 'agent2_traj.json'].map((name) => rm(join(pair, name))))
  const again = await source.data()
  expect(again.runs[0]!.costUnknownPairs).toBe(1)
  expect(again.pairs[0]!.costUnknown).toBe(true)
  expect((await new ViewerSource({ logDir, maxAgeMs: 0 }).data()).runs[0]!.costUnknownPairs).toBe(0)
})
