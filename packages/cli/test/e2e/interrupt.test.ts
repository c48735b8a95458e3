import { existsSync } from 'node:fs'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ExitCode } from '@cooperbench/core'
import { beforeAll, describe, expect, it } from 'vitest'
import { expectPairsAsExpected } from './expected-verdicts.js'
import {
  DEMO_DATASET,
  describeResult,
  expectNothingLeft,
  leftoverSandboxes,
  makeWorkdir,
  pairDirs,
  readJson,
  requireLocalBackend,
  runCli,
  startCli,
  useDemoDatasetCopy,
  type Workdir,
  writeTextkitSubset,
} from './helpers.js'

const dataset = useDemoDatasetCopy()
const PAIRS = 3

/** A coop run of 3 pairs of task 7, two at a time, so that a pair is still ahead at the first completed pair. */
const coopRun = () => ['run', '--dataset-dir', dataset(), '-s', 'three', '-a', 'oracle', '-c', '2', '-n', 'resumable']

beforeAll(async () => {
  await writeTextkitSubset(dataset(), 'three', 7, ['1,2', '1,3', '2,4'])
})

/**
 * Starts the run, waits until it is under way (its first `✓ … complete` line: with -c 2, the third pair has
 * not started before it, and the second is one the signal can catch), then interrupts it with `deliver`;
 * returns the finished child's result.
 */
async function interruptRun(w: Workdir, deliver: (pid: number) => void, detached: boolean) {
  const cli = startCli(coopRun(), w.options({ detached }))
  // The signal handler is installed right after the announcement; before it, SIGINT would simply kill node.
  expect(await cli.waitForStdout(/^run resumable: /m, 60_000), `the run did not start\n${cli.stderr()}`).toBe(true)
  expect(await cli.waitForStderr(/ ✓ .* complete in /, 90_000), `no pair finished\n${cli.stderr()}`).toBe(true)
  deliver(cli.child.pid!)
  return cli.result
}

/** What a graceful interruption must leave: exit 130, an interrupted summary, only whole results, no sandbox. */
async function expectCleanInterruption(w: Workdir, r: Awaited<ReturnType<typeof interruptRun>>): Promise<number> {
  expect(r.code, describeResult(r)).toBe(ExitCode.interrupted)
  // No process of this test's sandboxes (bwrap, git, runner.sh, tests) survives the CLI. A global
  // `pgrep bwrap` count would not do: other runs share the machine, and exited bwraps linger as
  // zombies until init reaps them.
  await expectNothingLeft(w)

  const summary = await readJson(join(w.logs, 'resumable', 'summary.json'))
  expect(summary).toMatchObject({ run_name: 'resumable', interrupted: true, total_tasks: PAIRS })
  expect(summary.results).toHaveLength(PAIRS)

  let finished = 0
  for (const dir of await pairDirs(w.logs, 'resumable', 'coop')) {
    const files = await readdir(dir)
    expect(
      files.filter((f) => f.includes('.tmp')),
      `temp files left in ${dir}`,
    ).toEqual([])
    if (!files.includes('result.json')) continue
    finished++
    const result = await readJson(join(dir, 'result.json'))
    expect(typeof result.ended_at, dir).toBe('string')
    expect(
      Object.values(result.agents).map((a: any) => a.status),
      `${dir}: an interrupted agent is not a result`,
    ).toEqual(['Submitted', 'Submitted'])
    for (const id of result.features) expect(existsSync(join(dir, `agent${id}.patch`)), dir).toBe(true)
  }
  // The interruption really happened mid-run, and the summary agrees with the folders.
  expect(finished).toBeLessThan(PAIRS)
  expect(summary.completed).toBe(finished)
  expect(summary.completed + summary.failed + summary.skipped).toBe(PAIRS)
  return finished
}

async function expectResumeCompletes(w: Workdir, finishedBefore: number): Promise<void> {
  const r = await runCli(coopRun(), w.options())
  expect(r.code, describeResult(r)).toBe(0)
  const summary = await readJson(join(w.logs, 'resumable', 'summary.json'))
  expect(summary).toMatchObject({ interrupted: false, total_tasks: PAIRS, completed: PAIRS - finishedBefore, skipped: finishedBefore, failed: 0 })
  for (const dir of await pairDirs(w.logs, 'resumable', 'coop')) {
    expect(existsSync(join(dir, 'result.json')), dir).toBe(true)
    expect(existsSync(join(dir, 'eval.json')), `${dir} was not evaluated on resume`).toBe(true)
  }
  expect((await pairDirs(w.logs, 'resumable', 'coop')).length).toBe(PAIRS)
  expect(await leftoverSandboxes(w.sandboxRoot)).toEqual([])
}

describe('interrupting a run', () => {
  it('SIGINT to the CLI: exit 130, summary marked interrupted, no partial result.json, no sandbox or bwrap left; a rerun resumes', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('sigint')
    const r = await interruptRun(w, (pid) => process.kill(pid, 'SIGINT'), false)
    const finished = await expectCleanInterruption(w, r)
    await expectResumeCompletes(w, finished)
  })

  it('Ctrl+C in a terminal (SIGINT to the whole process group, sandboxes included) is just as clean', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('ctrl-c')
    const r = await interruptRun(w, (pid) => process.kill(-pid, 'SIGINT'), true)
    // What the interruption leaves is what the resume above starts from: not resumed again here.
    await expectCleanInterruption(w, r)
  })

  it('SIGINT as the run opens (its backend and agent still being set up) ends it just as cleanly: exit 130, an interruption, not a bug', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('sigint-opening')
    const cli = startCli(coopRun(), w.options())
    expect(await cli.waitForStdout(/^run resumable: /m, 60_000), `the run did not start\n${cli.stderr()}`).toBe(true)
    process.kill(cli.child.pid!, 'SIGINT')
    const r = await cli.result
    // Wherever the signal lands (opening: `error: interrupted by SIGINT`; a pair begun: an interrupted summary), 130.
    expect(r.code, describeResult(r)).toBe(ExitCode.interrupted)
    expect(r.stderr).not.toMatch(/looks like a bug/)
    await expectNothingLeft(w)
  })
})

describe('interrupting while the config file loads', () => {
  it('the first SIGTERM ends the run at once (exit 130), naming the file, when its top-level await would wait forever', async () => {
    const w = await makeWorkdir('sigterm-config')
    const config = 'console.error("loading the config"); await new Promise(() => { setInterval(() => {}, 1000) }); export default {}\n'
    await writeFile(join(w.cwd, 'cooperbench.config.mjs'), config)
    const cli = startCli(coopRun(), w.options())
    // Printed by the config file: the run's signal handler is installed before the file loads.
    expect(await cli.waitForStderr(/^loading the config$/m, 60_000), `the config did not start loading\n${cli.stderr()}`).toBe(true)
    cli.child.kill('SIGTERM')
    const r = await cli.result
    expect(r.code, describeResult(r)).toBe(ExitCode.interrupted)
    expect(r.stderr).toMatch(/^error: interrupted while loading config file .*\/cooperbench\.config\.mjs$/m)
    expect(existsSync(w.logs), 'a run folder was written').toBe(false)
  })
})

describe('kill -9 in the middle of a run', () => {
  /** Every JSON file under `dir` parses: an atomic write leaves the old file or the new one, never half of one. */
  async function expectNoTornJson(dir: string): Promise<void> {
    const { listFiles } = await import('./helpers.js')
    for (const file of (await listFiles(dir)).filter((f) => f.endsWith('.json'))) {
      const text = await readFile(join(dir, file), 'utf8')
      expect(() => JSON.parse(text), `${file} is torn`).not.toThrow()
    }
  }

  it('then the same command: finished pairs reused, the rest redone, the same verdicts as an uninterrupted run, no sandbox left', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('kill9')
    // confkit task 5's three demo pairs (gold patches that conflict and that merge cleanly), two at a
    // time: more than run at once, so one waits while the others run.
    const demo = ['run', '-s', 'demo', '-r', 'confkit_task', '-t', '5', '--dataset-dir', DEMO_DATASET, '-a', 'oracle', '-c', '2']
    const cli = startCli([...demo, '-n', 'crashed'], w.options())
    expect(await cli.waitForStdout(/^run crashed: /m, 30_000), cli.stderr()).toBe(true)
    // A pair finished (`[Task i/N] ✓ … complete in …`), the rest still running or waiting.
    expect(await cli.waitForStderr(/ ✓ .* complete in /, 120_000), cli.stderr()).toBe(true)
    cli.child.kill('SIGKILL')
    await cli.result
    const before = await pairDirs(w.logs, 'crashed', 'coop')
    const finishedBefore = before.filter((dir) => existsSync(join(dir, 'result.json'))).length
    expect(finishedBefore, 'the kill came after the end of the run').toBeLessThan(3)
    await expectNoTornJson(join(w.logs, 'crashed'))
    // The killed process could not clean up: its sandboxes are still there, and the rerun removes them.
    const orphans = await leftoverSandboxes(w.sandboxRoot)

    const resumed = await runCli([...demo, '-n', 'crashed'], w.options({ timeoutMs: 600_000 }))
    expect(resumed.code, describeResult(resumed)).toBe(0)
    const summary = await readJson(join(w.logs, 'crashed', 'summary.json'))
    expect(summary).toMatchObject({ interrupted: false, total_tasks: 3, skipped: finishedBefore, completed: 3 - finishedBefore, failed: 0 })
    await expectNoTornJson(join(w.logs, 'crashed'))
    expect(await leftoverSandboxes(w.sandboxRoot), `${resumed.stderr}\norphans before: ${orphans.join(' ')}`).toEqual([])
    if (orphans.length > 0) expect(resumed.stderr).toContain(`removed ${orphans.length} leftover sandbox(es) of run crashed whose process is gone`)
    const listed = await runCli(['sandboxes', 'list', '--json'], w.options())
    expect(JSON.parse(listed.stdout)).toEqual([])

    // The verdicts of an uninterrupted run are the committed ones (dataset/expected/demo-verdicts.json).
    const pairs = await pairDirs(w.logs, 'crashed', 'coop')
    expect(pairs).toHaveLength(3)
    expectPairsAsExpected(pairs, 'coop')
  }, 900_000)
})
