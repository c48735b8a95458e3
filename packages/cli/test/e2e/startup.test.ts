import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { CLI_BIN, DEMO_DATASET, makeWorkdir, stackLines } from './helpers.js'

/** An older Node the machine may have besides the one running the suite (Debian's is 20). */
const OLD_NODE = '/usr/bin/node'
function nodeVersion(bin: string): string | undefined {
  if (!existsSync(bin)) return undefined
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' })
  return r.status === 0 ? r.stdout.trim().replace(/^v/, '') : undefined
}
const oldNode = nodeVersion(OLD_NODE)
const tooOld = oldNode !== undefined && ((m, n) => m < 22 || (m === 22 && n < 12))(...(oldNode.split('.').map(Number) as [number, number]))

/** Runs the CLI with a standard output whose reader has gone, as `| head -1` leaves it once head has its line. */
function runWithClosedStdout(args: string[], cwd: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } })
    // The only reader closes at once: every write of the child fails with EPIPE, whatever the timing.
    child.stdout.destroy()
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stderr }))
  })
}

describe('starting the CLI', () => {
  it.skipIf(!tooOld)(`on a Node older than 22.12 (${OLD_NODE}, ${oldNode}) says so in one line and exits 1, no stack`, () => {
    const r = spawnSync(OLD_NODE, [CLI_BIN, '--help'], { encoding: 'utf8', timeout: 60_000 })
    expect(r.stderr.trim()).toBe(`error: cooperbench needs Node ≥ 22.12 (this is Node ${oldNode})`)
    expect(r.stdout).toBe('')
    expect(r.status).toBe(1)
  })

  for (const args of [['run', '--help'], ['--help'], ['dataset', 'validate', '--help'], ['dataset', 'list', '--dataset-dir', DEMO_DATASET]]) {
    it(`\`${args.join(' ')}\` into a closed pipe ends quietly with 0`, async () => {
      const w = await makeWorkdir('closed-stdout')
      const r = await runWithClosedStdout(args, w.cwd)
      expect(r.stderr).not.toMatch(/unsettled top-level await|EPIPE|Error/)
      expect(stackLines(r.stderr)).toEqual([])
      expect(r.stderr, 'nothing at all on stderr').toBe('')
      expect(r.code, r.stderr).toBe(0)
    })
  }
})
