import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { pairsWithUnknownCost, type UnknownCostMemo } from '../../src/readers/unknown-cost.js'
import { scanRun } from '@cooperbench/results'

let root: string | undefined
afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true })
  root = undefined
})

/** A finished solo pair whose agent took steps at no recorded cost, with `trajectory` as its solo_traj.json; `record`: its record's keys. */
async function unpricedPair(trajectory: string | null, record: Record<string, unknown> = {}): Promise<string> {
  root = await mkdtemp(join(tmpdir(), 'cb-unknown-cost-'))
  const dir = join(root, 'run', 'solo', 'a_task', '1', 'f1_f2')
  await mkdir(dir, { recursive: true })
  const agent = {
    status: 'Submitted',
    cost: 0,
    steps: 2,
    input_tokens: 1,
    output_tokens: 1,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    patch_lines: 0,
    error: null,
    ...record,
  }
  await writeFile(
    join(dir, 'result.json'),
    JSON.stringify({
      repo: 'a_task',
      task_id: 1,
      features: [1, 2],
      setting: 'solo',
      started_at: '2025-01-01T00:00:00Z',
      ended_at: '2025-01-01T00:01:00Z',
      agent,
    }),
  )
  if (trajectory !== null) await writeFile(join(dir, 'solo_traj.json'), trajectory)
  return join(root, 'run')
}

describe('pairsWithUnknownCost', () => {
  it('takes an agent record’s cost_unknown at its word, reading no trajectory; one without it and without marks is priced', async () => {
    const said = await unpricedPair(null, { cost: 0.25, cost_unknown: true })
    expect((await pairsWithUnknownCost(await scanRun(said))).size).toBe(1)
    await rm(root!, { recursive: true, force: true })
    const priced = await unpricedPair(JSON.stringify({ messages: [{ role: 'assistant', content: 'a', extra: { cost: 0 } }] }))
    expect((await pairsWithUnknownCost(await scanRun(priced))).size).toBe(0)
  })

  it('in records written before cost_unknown: finds an unpriced call however far into the trajectory, also across the reader’s chunk boundaries, and in a journal', async () => {
    for (const padding of [0, 16 * 1024 - 40, 16 * 1024 - 28, 16 * 1024 - 10, 64 * 1024 - 20, 300_000]) {
      const messages = [
        { role: 'tool', content: 'x'.repeat(padding) },
        { role: 'assistant', content: 'a', extra: { cost: 0, cost_unknown: true } },
      ]
      const run = await unpricedPair(JSON.stringify({ messages }))
      const pairs = await scanRun(run)
      expect([...(await pairsWithUnknownCost(pairs))], `padding ${padding}`).toEqual([pairs[0]!.dir])
      await rm(root!, { recursive: true, force: true })
    }
    // A killed agent's journal, read in place of the trajectory it never wrote.
    const killed = await unpricedPair(null)
    const killedPairs = await scanRun(killed)
    await writeFile(join(killedPairs[0]!.dir, 'solo_traj.jsonl'), `${JSON.stringify({ role: 'assistant', content: 'a', extra: { cost_unknown: true } })}\n`)
    expect((await pairsWithUnknownCost(killedPairs)).size).toBe(1)
    await rm(root!, { recursive: true, force: true })
    // Mentions that are not an unpriced call, also cut by a boundary, are not one.
    for (const padding of [0, 16 * 1024 - 30]) {
      const messages = [
        { role: 'tool', content: 'x'.repeat(padding) },
        { role: 'assistant', content: 'a', extra: { cost: 0, cost_unknown: false } },
      ]
      const run = await unpricedPair(JSON.stringify({ messages }))
      expect((await pairsWithUnknownCost(await scanRun(run))).size, `padding ${padding}`).toBe(0)
      await rm(root!, { recursive: true, force: true })
    }
    const run = await unpricedPair(JSON.stringify({ messages: [{ role: 'assistant', content: 'a', extra: { cost: 0 } }] }))
    expect((await pairsWithUnknownCost(await scanRun(run))).size).toBe(0)
  })

  it('with a memo, does not read a finished pair’s trajectories again', async () => {
    const run = await unpricedPair(JSON.stringify({ messages: [{ role: 'assistant', content: 'a', extra: { cost_unknown: true } }] }))
    const pairs = await scanRun(run)
    const memo: UnknownCostMemo = new Map()
    expect((await pairsWithUnknownCost(pairs, memo)).size).toBe(1)
    // Gone from disk: only the memo can still tell.
    await rm(join(pairs[0]!.dir, 'solo_traj.json'))
    expect((await pairsWithUnknownCost(pairs, memo)).size).toBe(1)
    expect((await pairsWithUnknownCost(pairs)).size).toBe(0)
  })
})
