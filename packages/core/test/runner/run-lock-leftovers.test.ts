import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { acquireRunLock } from '../../src/runner/run-lock.js'

let folder: string
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'cooperbench-leftovers-'))
})
afterEach(async () => {
  await rm(folder, { recursive: true, force: true })
})

/** Every temp file of an atomic write under the run folder, relative to it. */
async function temps(): Promise<string[]> {
  return (await readdir(folder, { recursive: true })).filter((name) => /\.tmp-\d+-[0-9a-f]{8}$/.test(name)).sort()
}

/**
 * A writer rewriting a pair's eval.json with the real atomic write, killed with SIGKILL while a
 * temp file of it exists, as `kill -9` during `eval --force` kills one. Tried again in the rare
 * case the kill lands between a rename and the next write (no temp left).
 */
async function killWriterMidWrite(target: string): Promise<string[]> {
  const atomicWrite = resolve(__dirname, '../../../results/dist/atomic-write.js')
  const script = `
    const { writeFileAtomic } = await import(${JSON.stringify(atomicWrite)})
    for (;;) await writeFileAtomic(${JSON.stringify(target)}, 'x'.repeat(1 << 20))`
  for (let attempt = 0; attempt < 5; attempt++) {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' })
    const exited = new Promise((done) => child.on('exit', done))
    // A write has finished (the file is there) and the next one is under way.
    while (!existsSync(target) || (await temps()).length === 0) await new Promise((tick) => setTimeout(tick, 5))
    child.kill('SIGKILL')
    await exited
    const left = await temps()
    if (left.length > 0) {
      expect(left.every((name) => name.includes(`.tmp-${child.pid}-`))).toBe(true)
      return left
    }
  }
  throw new Error('the writer was never killed while a temp file of it existed')
}

describe('temp files of writers killed in a run folder', () => {
  it('are removed by the next run or eval taking the folder; a live writer keeps its own', async () => {
    const pair = join(folder, 'solo', 'textkit_task', '7', 'f1_f2')
    await mkdir(pair, { recursive: true })
    const left = await killWriterMidWrite(join(pair, 'eval.json'))
    const live = join(folder, `eval_summary.json.tmp-${process.pid}-0123abcd`)
    await writeFile(live, '{')

    const lock = await acquireRunLock(folder, 'r')
    try {
      expect(await temps(), `left by the killed writer: ${left.join(', ')}`).toEqual([`eval_summary.json.tmp-${process.pid}-0123abcd`])
      // The last write that finished is there whole.
      expect((await readFile(join(pair, 'eval.json'), 'utf8')).length).toBe(1 << 20)
    } finally {
      await lock.release()
    }
  })
})
