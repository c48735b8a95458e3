import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { setTimeout as sleep } from 'node:timers/promises'
import { ExitCode } from '@cooperbench/core'
import { redisServerBinary, startRedisServer } from '@cooperbench/testkit'
import { describe, expect, it } from 'vitest'
import { DEMO_DATASET, describeResult, makeWorkdir, readJson, requireLocalBackend, runCli } from './helpers.js'

/**
 * The backend and the bus are part of a run's configuration: adding `--backend docker` or
 * `--redis` to the command of a finished local run must not reuse its local results under a
 * header that says docker. With the default run name it is another run, which really runs (its
 * own folder, pairs not reused, sandboxes the Docker engine created); with the same name it is
 * refused like a changed model. Each half fails if the backend or the bus were left out of either
 * the default run name or the configuration fingerprint.
 */
const PAIR = ['-a', 'oracle', '--dataset-dir', DEMO_DATASET, '-s', 'demo', '-r', 'textkit_task', '-t', '7', '-f', '1,2']
const LOCAL_NAME = 'coop-or-demo-textkit-7'
const REDIS_NAME = 'coop-or-redis-demo-textkit-7'
const DOCKER_NAME = 'coop-or-docker-demo-textkit-7'
const engine = spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0

/**
 * Watches the Docker engine's `create` events for a run's containers while a command runs. It
 * streams them as they happen: the engine keeps only its last 1000 events for `--since`
 * queries, and the other e2e files' containers push a finished run's events out of it.
 */
function watchContainersCreated(runName: string) {
  const roles: string[] = []
  const events = spawn(
    'docker',
    [
      'events',
      // From a second back, so events in the moment the stream takes to open are not missed.
      '--since',
      new Date(Date.now() - 1_000).toISOString(),
      '--filter',
      'type=container',
      '--filter',
      'event=create',
      '--filter',
      `label=cooperbench.run=${runName}`,
      '--format',
      '{{index .Actor.Attributes "cooperbench.role"}}',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let stderr = ''
  createInterface({ input: events.stdout }).on('line', (line) => line !== '' && roles.push(line))
  events.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return {
    /** Stops watching once `expected` were all seen or `settleMs` passed; the roles seen, sorted. */
    async stop(expected: readonly string[] = [], settleMs = 1_000): Promise<string[]> {
      const deadline = Date.now() + (expected.length > 0 ? 10_000 : settleMs)
      while (Date.now() < deadline && !expected.every((role) => roles.includes(role))) await sleep(50)
      events.kill()
      expect(events.exitCode ?? 0, stderr).toBe(0)
      return [...roles].sort()
    },
  }
}

describe('a finished local run, then the same command on another backend or bus', () => {
  it('--redis or --backend docker makes a new run under its own default name that really runs there; the same name with either is refused naming the change', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('run-identity')
    await writeFile(join(w.cwd, 'cooperbench.config.json'), JSON.stringify({ backends: { docker: { network: 'none', buildNetwork: 'none', pull: 'never' } } }))
    const local = await runCli(['run', ...PAIR], w.options({ timeoutMs: 180_000 }))
    expect(local.code, describeResult(local)).toBe(0)
    expect(local.stdout).toContain(`run ${LOCAL_NAME}: 1 pair(s), coop, agent oracle, backend local`)
    const pair = (run: string) => join(w.logs, run, 'coop', 'textkit_task', '7', 'f1_f2')

    if (redisServerBinary() !== null) {
      const redis = await startRedisServer()
      try {
        const sameName = await runCli(['run', ...PAIR, '--redis', redis.url, '-n', LOCAL_NAME], w.options({ timeoutMs: 180_000 }))
        expect(sameName.code, describeResult(sameName)).toBe(ExitCode.runConflict)
        expect(sameName.stderr).toContain('bus: (absent) → "redis"')

        // Without its evaluation: whether the pair ran again is what is asked (the docker half
        // compares verdicts).
        const overRedis = await runCli(['run', ...PAIR, '--redis', redis.url, '--no-auto-eval'], w.options({ timeoutMs: 180_000 }))
        expect(overRedis.code, describeResult(overRedis)).toBe(0)
        expect(overRedis.stdout).toContain(`run ${REDIS_NAME}: 1 pair(s), coop, agent oracle, backend local`)
        // Run again, not reused from the memory-bus run, and recorded as a redis run.
        expect(await readJson(join(w.logs, REDIS_NAME, 'summary.json'))).toMatchObject({ completed: 1, skipped: 0 })
        expect((await readJson(join(w.logs, REDIS_NAME, 'config.json'))).fingerprint).toMatchObject({ bus: 'redis' })
        expect((await readJson(join(pair(REDIS_NAME), 'result.json'))).run_id).not.toBe((await readJson(join(pair(LOCAL_NAME), 'result.json'))).run_id)
      } finally {
        await redis.stop()
      }
    } else if (process.env.CI) throw new Error('redis-server is not installed, and CI is set')

    if (!engine) {
      if (process.env.CI) throw new Error('no Docker engine, and CI is set')
      ctx.skip('no Docker engine: the --backend docker half needs one')
    }
    const refusedWatch = watchContainersCreated(LOCAL_NAME)
    const sameName = await runCli(['run', ...PAIR, '--backend', 'docker', '-n', LOCAL_NAME], w.options({ timeoutMs: 180_000 }))
    expect(sameName.code, describeResult(sameName)).toBe(ExitCode.runConflict)
    expect(sameName.stderr).toContain('backend: "local" → "docker"')
    expect(sameName.stderr).toMatch(/hint: .*-n.*--force/)
    expect(await refusedWatch.stop(), 'a refused run started containers').toEqual([])

    const dockerWatch = watchContainersCreated(DOCKER_NAME)
    const onDocker = await runCli(['run', ...PAIR, '--backend', 'docker'], w.options({ timeoutMs: 300_000 }))
    expect(onDocker.code, describeResult(onDocker)).toBe(0)
    expect(onDocker.stdout).toContain(`run ${DOCKER_NAME}: 1 pair(s), coop, agent oracle, backend docker`)
    expect(existsSync(join(w.logs, DOCKER_NAME)), 'the docker run has its own folder').toBe(true)
    expect(await readJson(join(w.logs, DOCKER_NAME, 'summary.json'))).toMatchObject({ completed: 1, skipped: 0, eval: { total_evaluated: 1 } })
    expect((await readJson(join(w.logs, DOCKER_NAME, 'config.json'))).fingerprint).toMatchObject({ backend: 'docker' })
    expect((await readJson(join(pair(DOCKER_NAME), 'result.json'))).backend).toBe('docker')
    // The Docker engine itself created the run's sandboxes: both agents' and the evaluation's.
    const roles = await dockerWatch.stop(['agent1', 'agent2', 'eval'])
    expect(roles, 'containers the Docker engine created for the run').toEqual(expect.arrayContaining(['agent1', 'agent2', 'eval']))
    // The same oracle patches give the same verdict on either backend.
    const verdict = async (run: string) => (await readJson(join(pair(run), 'eval.json'))).both_passed
    expect(await verdict(DOCKER_NAME)).toBe(await verdict(LOCAL_NAME))
  }, 600_000)
})
