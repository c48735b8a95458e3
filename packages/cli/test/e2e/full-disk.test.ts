import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  CLI_BIN,
  type CliResult,
  DEMO_DATASET,
  describeResult,
  expectNothingLeft,
  linesStartingWith,
  makeWorkdir,
  requireLocalBackend,
  stackLines,
  tempDir,
  type Workdir,
} from './helpers.js'

/** Why a private mount namespace with a tmpfs cannot be made here (root is needed), or null. */
function privateMountProblem(): string | null {
  const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs /mnt'], { encoding: 'utf8' })
  return r.status === 0 ? null : `cannot mount a tmpfs in a private mount namespace (root needed): ${r.stderr.trim()}`
}

/**
 * `cooperbench <args>` with `disk` a tmpfs of `size` (300 KB), mounted in a mount namespace of the CLI's own
 * (its sandboxes inherit it): the rest of the machine, other tests' sandboxes included, never sees it. With
 * `prefill` the disk is full before the CLI starts. `left` lists what the disk holds once the CLI ended (paths
 * under it), read in that namespace before the tmpfs goes away with it.
 */
async function runOnSmallDisk(
  w: Workdir,
  disk: string,
  args: string[],
  env: Record<string, string>,
  { size = '300k', prefill = false }: { size?: string; prefill?: boolean } = {},
): Promise<CliResult & { left: string[] }> {
  const listing = join(w.tmp, `left-${Date.now()}.txt`)
  const childEnv: NodeJS.ProcessEnv = { NO_COLOR: '1', TMPDIR: w.tmp, COOPERBENCH_DATA_DIR: await tempDir('data'), CB_LEFT: listing, ...env }
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('COOPERBENCH_') && !(key in childEnv)) childEnv[key] = value
  const fill = prefill ? 'dd if=/dev/zero of="$0/filler" bs=4k 2>/dev/null; ' : ''
  const mountThenRun = `mount -t tmpfs -o size=${size} tmpfs "$0" || exit 99; ${fill}"$@"; s=$?; (cd "$0" && find . -mindepth 1 | sort) > "$CB_LEFT"; exit $s`
  const started = Date.now()
  const child = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', mountThenRun, disk, process.execPath, CLI_BIN, ...args], {
    cwd: w.cwd,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  // The whole group: the shell and the CLI it runs.
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 300_000)
  const ended = await new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started })
    })
  })
  const left = existsSync(listing) ? (await readFile(listing, 'utf8')).split('\n').filter((line) => line !== '') : ['(not listed)']
  return { ...ended, left: left.map((path) => path.replace(/^\.\//, '')) }
}

describe('a full disk during a run', () => {
  // One run shows the exit: the oracle's pairs are cheap, and what fills the disk does not matter to
  // how the run ends. An agent whose trajectory writes meet the full disk mid-run (no truncated JSON,
  // a rerun finishes) is faults.test.ts's.
  it('ends with the documented exit 7, a clear error and hint, the summary printed, no stack, run.lock released, no sandbox left', async (ctx) => {
    requireLocalBackend(ctx)
    const problem = privateMountProblem()
    if (problem !== null) return ctx.skip(problem)
    const w = await makeWorkdir('full-disk-oracle')
    const disk = join(w.cwd, 'small-disk')
    await mkdir(disk)
    const args = ['run', '-a', 'oracle', '--dataset-dir', DEMO_DATASET, '-r', 'textkit_task', '-t', '12', '-c', '3', '-n', 'full', '--log-dir', disk]
    // The oracle writes little (no model calls): a disk that fills with its first pairs' files.
    const r = await runOnSmallDisk(w, disk, args, {}, { size: '40k' })
    const report = describeResult(r)
    expect(r.code, `exit 7\n${report}`).toBe(7)
    // Pairs whose files could not be written are logged as they fail; the run's own error comes last, with its hint.
    expect(linesStartingWith(r.stderr, 'error:').at(-1), `the run's error last\n${report}`).toMatch(/^error: cannot write \S+: no space left on the device$/)
    expect(r.stderr.trimEnd().split('\n').at(-1), `its hint\n${report}`).toBe('hint: Free some space, or choose another --log-dir.')
    expect(stackLines(r.stdout + r.stderr), `no stack\n${report}`).toEqual([])
    // What the run did is shown even though summary.json could not be written.
    expect(r.stdout, `the run's first line\n${report}`).toMatch(/^run full: 6 pair\(s\)/m)
    expect(r.stdout, `the summary's results line\n${report}`).toMatch(/^\s+results\s+\S+full$/m)
    expect(r.left, report).toContain('full')
    expect(r.left, report).not.toContain('full/run.lock')
    await expectNothingLeft(w)
  }, 360_000)

  it('a disk already full: exit 7 before any pair, naming run.lock, and no empty run folder left', async (ctx) => {
    requireLocalBackend(ctx)
    const problem = privateMountProblem()
    if (problem !== null) return ctx.skip(problem)
    const w = await makeWorkdir('full-disk-before')
    const disk = join(w.cwd, 'small-disk')
    await mkdir(disk)
    const args = ['run', '-a', 'oracle', '--dataset-dir', DEMO_DATASET, '-r', 'textkit_task', '-t', '12', '-n', 'full', '--log-dir', join(disk, 'logs')]
    const r = await runOnSmallDisk(w, disk, args, {}, { size: '64k', prefill: true })
    const report = describeResult(r)
    expect(r.code, report).toBe(7)
    expect(linesStartingWith(r.stderr, 'error:'), report).toEqual([expect.stringMatching(/^error: cannot write \S+run\.lock: no space left on the device$/)])
    expect(stackLines(r.stdout + r.stderr), report).toEqual([])
    expect(r.left, report).toEqual(['filler'])
  }, 120_000)
})
