import { spawnSync } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { expectPairsAsExpected } from './expected-verdicts.js'
import {
  buildDemoImages,
  DEMO_DATASET,
  describeResult,
  dockerEngineAnswers,
  makeWorkdir,
  pairDirs,
  readJson,
  runCli,
  startCli,
  verdictOf,
  type Workdir,
} from './helpers.js'

/**
 * The demo subset on the docker backend, through the CLI: the committed verdicts
 * (dataset/expected/demo-verdicts.json), the local backend's verdicts for teams, and no container of a run left behind after a normal run or Ctrl+C.
 * A crashing agent's pair: recorded as Error with nothing left in faults.test.ts (the runner's part, the same on
 * every backend); a sandbox terminated from a block that throws leaves no container in the docker conformance suite.
 */
const engine = dockerEngineAnswers('the docker e2e tests')
const skipReason = engine ? false : 'no Docker engine answers'

const DOCKER_CONFIG = { backends: { docker: { network: 'none', buildNetwork: 'none', pull: 'never' } } }
const dataset = ['--dataset-dir', DEMO_DATASET]

function containersOf(run: string): string[] {
  const out = spawnSync('docker', ['ps', '-aq', '--filter', `label=cooperbench.run=${run}`], { encoding: 'utf8' })
  return out.stdout.split('\n').filter(Boolean)
}

async function dockerWorkdir(prefix: string, extra: Record<string, unknown> = {}): Promise<Workdir> {
  const w = await makeWorkdir(prefix)
  await writeFile(join(w.cwd, 'cooperbench.config.json'), JSON.stringify({ ...DOCKER_CONFIG, ...extra }))
  return w
}

describe.skipIf(skipReason)(`docker backend end to end${skipReason ? ` (${skipReason})` : ''}`, () => {
  beforeAll(async () => {
    await buildDemoImages()
  }, 900_000)

  it('images build names each image once, and --image-namespace builds under another namespace', async () => {
    const w = await dockerWorkdir('docker-images-again')
    const namespace = `cbtest${process.pid}`
    try {
      const again = await runCli(['images', 'build', '-r', 'textkit_task', ...dataset], w.options({ timeoutMs: 300_000 }))
      expect(again.code, describeResult(again)).toBe(0)
      const output = again.stdout + again.stderr
      for (const task of ['task7', 'task12']) expect(output.split(`akhatua/cooperbench-textkit:${task}`).length - 1, output).toBe(1)
      const other = await runCli(
        ['images', 'build', '-r', 'textkit_task', '-t', '7', '--image-namespace', namespace, ...dataset],
        w.options({ timeoutMs: 300_000 }),
      )
      expect(other.code, describeResult(other)).toBe(0)
      expect(other.stdout).toMatch(new RegExp(`${namespace}/cooperbench-textkit:task7\\s+built`))
      expect(spawnSync('docker', ['image', 'inspect', `${namespace}/cooperbench-textkit:task7`], { stdio: 'ignore' }).status).toBe(0)
    } finally {
      spawnSync('docker', ['rmi', '--no-prune', `${namespace}/cooperbench-textkit:task7`], { stdio: 'ignore' })
    }
  }, 600_000)

  it('solo oracle on one pair of each demo task and coop on a pair whose gold patches conflict: the committed verdicts; no container is left', async () => {
    const w = await dockerWorkdir('docker-demo')
    const solo = await runCli(
      ['run', '-s', 'demo', '-f', '1,2', '-a', 'oracle', '--setting', 'solo', '--backend', 'docker', '-n', 'dsolo', '-c', '4', ...dataset],
      w.options({ timeoutMs: 600_000 }),
    )
    expect(solo.code, describeResult(solo)).toBe(0)
    expect(await readJson(join(w.logs, 'dsolo', 'summary.json'))).toMatchObject({ total_tasks: 6, completed: 6, eval: { passed: 6, failed: 0, errors: 0 } })
    expectPairsAsExpected(await pairDirs(w.logs, 'dsolo', 'solo'), 'solo')
    expect(containersOf('dsolo')).toEqual([])

    // A pair whose gold patches conflict: the merge fails, and agent1's patch alone is tested. A pair
    // that merges cleanly runs on docker in mini-swe.test.ts (the same evaluation of other agents' patches).
    const coop = await runCli(
      ['run', '-r', 'routekit_task', '-t', '8', '-f', '1,2', '-a', 'oracle', '--backend', 'docker', '-n', 'dcoop', ...dataset],
      w.options({ timeoutMs: 600_000 }),
    )
    expect(coop.code, describeResult(coop)).toBe(0)
    const coopPairs = await pairDirs(w.logs, 'dcoop', 'coop')
    expect(coopPairs).toHaveLength(1)
    expectPairsAsExpected(coopPairs, 'coop')
    expect(containersOf('dcoop')).toEqual([])
  }, 900_000)

  it('teams of three (--agents 3) on docker: the same verdicts as on the local backend, and no container is left', async () => {
    const w = await dockerWorkdir('docker-teams')
    // One team: three containers, three patches merged in the evaluation's. Which triples a task
    // has is the selection's business, the same on every backend (teams.test.ts runs a task's four).
    const team = ['-r', 'textkit_task', '-t', '7', '-f', '1,2,3', '-a', 'oracle', '--agents', '3', ...dataset]
    const onDocker = await runCli(['run', ...team, '--backend', 'docker', '-n', 'dteams'], w.options({ timeoutMs: 600_000 }))
    expect(onDocker.code, describeResult(onDocker)).toBe(0)
    const onLocal = await runCli(['run', ...team, '--backend', 'local', '-n', 'lteams'], w.options({ timeoutMs: 600_000 }))
    expect(onLocal.code, describeResult(onLocal)).toBe(0)
    const dockerTeams = await pairDirs(w.logs, 'dteams', 'coop')
    const localTeams = await pairDirs(w.logs, 'lteams', 'coop')
    expect(dockerTeams.map((d) => d.split('/').at(-1))).toEqual(['f1_f2_f3'])
    expect(localTeams).toHaveLength(1)
    for (const [i, dir] of dockerTeams.entries()) {
      const docker = await readJson(join(dir, 'eval.json'))
      const local = await readJson(join(localTeams[i]!, 'eval.json'))
      expect(verdictOf(docker), dir).toEqual(verdictOf(local))
      expect({ feature3: docker.feature3.passed, all: docker.all_passed }, dir).toEqual({ feature3: local.feature3.passed, all: local.all_passed })
      expect(Object.keys(docker.apply_status)).toEqual(['agent1', 'agent2', 'agent3'])
    }
    expect(containersOf('dteams')).toEqual([])
  }, 900_000)

  it('Ctrl+C in the middle of a run (pairs in flight, more queued) leaves no container of the run', async () => {
    const w = await dockerWorkdir('docker-sigint')
    // Six pairs, three at a time: when the first pair is done, two are in flight and three not
    // started, so the interrupt always lands mid-run.
    const cli = startCli(
      ['run', '-s', 'demo', '-r', 'textkit_task', '-t', '12', '-a', 'oracle', '--backend', 'docker', '-n', 'dint', '-c', '3', ...dataset],
      w.options({ timeoutMs: 300_000 }),
    )
    await cli.waitForStderr(/ ✓ .* complete in /, 120_000)
    // Mid-run: some sandboxes exist right now.
    cli.child.kill('SIGINT')
    const r = await cli.result
    expect(r.code, describeResult(r)).toBe(130)
    expect((await readJson(join(w.logs, 'dint', 'summary.json'))).interrupted).toBe(true)
    expect(containersOf('dint')).toEqual([])
  }, 300_000)
})
