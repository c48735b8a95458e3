import { spawnSync } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ExitCode } from '@cooperbench/core'
import { redisServerBinary, startRedisServer } from '@cooperbench/testkit'
import { describe, expect, it } from 'vitest'
import { DEMO_DATASET, describeResult, makeWorkdir, readJson, requireLocalBackend, runCli } from './helpers.js'

/**
 * The backend and the bus are part of a run's configuration: adding `--backend docker` or
 * `--redis` to the command of a finished local run must not reuse its local results under a
 * header that says docker. With the default run name it is another run; with the same name it is
 * refused like a changed model.
 */
const PAIR = ['-a', 'oracle', '--dataset-dir', DEMO_DATASET, '-s', 'demo', '-r', 'textkit_task', '-t', '7', '-f', '1,2']
const LOCAL_NAME = 'coop-or-gemini-3-flash-demo-textkit-7'
const engine = spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0

describe('a finished local run, then the same command on another backend or bus', () => {
  it('--backend docker makes a new run under its own default name; the same name with --backend docker or --redis is refused naming the change', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('run-identity')
    await writeFile(join(w.cwd, 'cooperbench.config.json'), JSON.stringify({ backends: { docker: { network: 'none', buildNetwork: 'none', pull: 'never' } } }))
    const local = await runCli(['run', ...PAIR], w.options({ timeoutMs: 180_000 }))
    expect(local.code, describeResult(local)).toBe(0)
    expect(local.stdout).toContain(`run ${LOCAL_NAME}: 1 pair(s), coop, agent oracle, backend local`)

    if (redisServerBinary() !== null) {
      const redis = await startRedisServer()
      try {
        const sameName = await runCli(['run', ...PAIR, '--redis', redis.url, '-n', LOCAL_NAME], w.options({ timeoutMs: 180_000 }))
        expect(sameName.code, describeResult(sameName)).toBe(ExitCode.runConflict)
        expect(sameName.stderr).toContain('bus: (absent) → "redis"')
      } finally {
        await redis.stop()
      }
    } else if (process.env.CI) throw new Error('redis-server is not installed, and CI is set')

    if (!engine) {
      if (process.env.CI) throw new Error('no Docker engine, and CI is set')
      ctx.skip('no Docker engine: the --backend docker half needs one')
    }
    const sameName = await runCli(['run', ...PAIR, '--backend', 'docker', '-n', LOCAL_NAME], w.options({ timeoutMs: 180_000 }))
    expect(sameName.code, describeResult(sameName)).toBe(ExitCode.runConflict)
    expect(sameName.stderr).toContain('backend: (absent) → "docker"')
    expect(sameName.stderr).toMatch(/hint: .*-n.*--force/)

    const onDocker = await runCli(['run', ...PAIR, '--backend', 'docker'], w.options({ timeoutMs: 300_000 }))
    expect(onDocker.code, describeResult(onDocker)).toBe(0)
    expect(onDocker.stdout).toContain('run coop-or-docker-gemini-3-flash-demo-textkit-7: 1 pair(s), coop, agent oracle, backend docker')
    const dockerRun = join(w.logs, 'coop-or-docker-gemini-3-flash-demo-textkit-7')
    expect(await readJson(join(dockerRun, 'summary.json'))).toMatchObject({ completed: 1, skipped: 0, eval: { total_evaluated: 1 } })
    const pair = (run: string) => join(w.logs, run, 'coop', 'textkit_task', '7', 'f1_f2')
    expect((await readJson(join(pair('coop-or-docker-gemini-3-flash-demo-textkit-7'), 'result.json'))).backend).toBe('docker')
    // The same oracle patches give the same verdict on either backend.
    const verdict = async (run: string) => (await readJson(join(pair(run), 'eval.json'))).both_passed
    expect(await verdict('coop-or-docker-gemini-3-flash-demo-textkit-7')).toBe(await verdict(LOCAL_NAME))
  }, 600_000)
})
