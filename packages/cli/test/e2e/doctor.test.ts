import { spawnSync } from 'node:child_process'
import { createServer, type Socket } from 'node:net'
import { readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { redisServerSkipReason, startRedisServer } from '@cooperbench/testkit'
import { describe, expect, it } from 'vitest'
import { DEMO_DATASET, describeResult, makeWorkdir, REPO_ROOT, requireLocalBackend, runCli, runCliInProcess, type Workdir } from './helpers.js'

interface Check {
  check: string
  status: 'ok' | 'warn' | 'fail' | 'skip'
  detail: string
  fix?: string
}

const CORE_VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'packages', 'core', 'package.json'), 'utf8')) as { version: string }).version
const engine = spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 15_000 }).status === 0
/** Without an engine the docker backend's check fails, as it should; the tests then check local only. */
const backendArgs = engine ? [] : ['--backend', 'local']

/** A project that needs no credentials: the oracle agent on the demo dataset. */
async function oracleProject(w: Workdir, extra: Record<string, unknown> = {}): Promise<void> {
  await writeFile(join(w.cwd, 'cooperbench.config.json'), JSON.stringify({ agent: 'oracle', datasetDir: DEMO_DATASET, ...extra }))
}

function parseChecks(stdout: string): Check[] {
  const checks = JSON.parse(stdout) as Check[]
  for (const c of checks) {
    expect(['ok', 'warn', 'fail', 'skip']).toContain(c.status)
    expect(typeof c.detail).toBe('string')
    if (c.status === 'fail' || c.status === 'warn') expect(c.fix, JSON.stringify(c)).toMatch(/\S/)
  }
  return checks
}

const byName = (checks: Check[], name: string) => checks.find((c) => c.check === name)

// One real CLI process runs every check (the first test); the others check what doctor says of one
// project each, which the command says the same in the test's own process, without a CLI start.
describe('cooperbench doctor', () => {
  it('--json lists every check and exits 0 when everything is in place', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('doctor-ok')
    await oracleProject(w)
    const r = await runCli(['doctor', '--json', ...backendArgs], w.options())
    expect(r.code, describeResult(r)).toBe(0)
    const checks = parseChecks(r.stdout)
    expect(checks.map((c) => c.check)).toEqual(
      expect.arrayContaining([
        'node',
        'git',
        'config',
        'plugin @cooperbench/builtins',
        'plugin @cooperbench/agent-mini-swe',
        'backend local',
        'backend docker',
        'bus memory',
        'dataset',
        'agent oracle',
      ]),
    )
    expect(checks.filter((c) => c.status === 'fail')).toEqual([])
    expect(byName(checks, 'node')).toMatchObject({ status: 'ok', detail: expect.stringContaining(`v${process.versions.node}`) })
    expect(byName(checks, 'git')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^git version /) })
    expect(byName(checks, 'config')).toMatchObject({ status: 'ok', detail: join(w.cwd, 'cooperbench.config.json') })
    expect(byName(checks, 'plugin @cooperbench/builtins')).toMatchObject({ status: 'ok', detail: expect.stringContaining(`this core: ${CORE_VERSION}`) })
    expect(byName(checks, 'backend local')).toMatchObject({ status: 'ok', detail: expect.stringContaining('the configured backend') })
    expect(byName(checks, 'backend docker')).toMatchObject(engine ? { status: 'ok' } : { status: 'skip' })
    expect(byName(checks, 'bus memory')).toMatchObject({ status: 'skip' })
    expect(byName(checks, 'dataset')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^.*dataset: \d+ tasks in \d+ repos$/) })
    expect(byName(checks, 'agent oracle')).toMatchObject({ status: 'ok' })
  }, 180_000)

  it('fails the redis check with a fix, and exits non-zero, when nothing listens at --redis', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('doctor-redis-down')
    await oracleProject(w)
    const r = await runCliInProcess(['doctor', '--json', '--backend', 'local', '--redis', 'redis://127.0.0.1:1'], w.options())
    expect(r.code, describeResult(r)).toBe(1)
    const checks = parseChecks(r.stdout)
    const bus = byName(checks, 'bus redis')
    expect(bus).toMatchObject({ status: 'fail', detail: expect.stringContaining('redis://127.0.0.1:1'), fix: expect.stringMatching(/redis-server|Redis/) })
    expect(checks.filter((c) => c.status === 'fail').map((c) => c.check)).toEqual(['bus redis'])
    expect(byName(checks, 'backend docker')).toMatchObject({ status: 'skip', detail: 'not selected by --backend' })
  }, 180_000)

  it('fails the redis check for a URL the bus refuses, with a fix naming --redis, where it was set', async () => {
    const w = await makeWorkdir('doctor-redis-bad-url')
    await oracleProject(w)
    const r = await runCliInProcess(['doctor', '--json', '--backend', 'local', '--redis', 'redis://127.0.0.1:6379/abc'], w.options())
    expect(r.code, describeResult(r)).toBe(1)
    expect(byName(parseChecks(r.stdout), 'bus redis')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('buses.redis.url: must be a redis:// or rediss:// URL'),
      fix: 'buses.redis.url is the Redis URL, set by --redis: fix it there.',
    })
  }, 180_000)

  it('a check that does not answer in time is a warning, not a failure: a busy machine answers late', async (ctx) => {
    requireLocalBackend(ctx)
    // A server that accepts connections and never answers, as an overloaded one looks from here.
    const sockets = new Set<Socket>()
    const silent = createServer((socket) => sockets.add(socket))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    try {
      const w = await makeWorkdir('doctor-silent')
      await oracleProject(w)
      const url = `redis://127.0.0.1:${(silent.address() as { port: number }).port}`
      const r = await runCliInProcess(['doctor', '--json', '--backend', 'local', '--redis', url, '--timeout', '2'], w.options())
      expect(r.code, describeResult(r)).toBe(0)
      const checks = parseChecks(r.stdout)
      expect(byName(checks, 'bus redis')).toMatchObject({ status: 'warn', detail: expect.stringMatching(/^no answer within 2 s/) })
      expect(checks.filter((c) => c.status === 'fail')).toEqual([])
    } finally {
      for (const socket of sockets) socket.destroy()
      silent.close()
    }
  }, 180_000)

  it("after the quickstart, with no agent or model chosen, the default model's missing cloud project is a warning and doctor exits 0", async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('doctor-fresh')
    const noGoogle = { VERTEXAI_PROJECT: '', GOOGLE_CLOUD_PROJECT: '', GOOGLE_APPLICATION_CREDENTIALS: '' }
    const r = await runCliInProcess(['doctor', '--json', '--backend', 'local', '--dataset-dir', DEMO_DATASET], w.options({ env: noGoogle }))
    expect(r.code, describeResult(r)).toBe(0)
    const agent = parseChecks(r.stdout).find((c) => c.check.startsWith('agent '))
    expect(agent).toMatchObject({ status: 'warn', detail: expect.stringMatching(/project.*not for -a oracle/) })

    // The same model chosen on purpose is the user's next command: then it fails.
    const chosen = await runCliInProcess(
      ['doctor', '--json', '--backend', 'local', '--dataset-dir', DEMO_DATASET, '-m', 'vertex_ai/gemini-3-flash-preview'],
      w.options({ env: noGoogle }),
    )
    expect(chosen.code, describeResult(chosen)).toBe(1)
    expect(parseChecks(chosen.stdout).find((c) => c.check.startsWith('agent '))).toMatchObject({ status: 'fail' })
  }, 180_000)

  it.skipIf(redisServerSkipReason())(
    'passes the redis check when a server answers',
    async (ctx) => {
      requireLocalBackend(ctx)
      const redis = await startRedisServer()
      try {
        const w = await makeWorkdir('doctor-redis-up')
        await oracleProject(w, { redisUrl: redis.url })
        const r = await runCliInProcess(['doctor', '--json', '--backend', 'local'], w.options())
        expect(r.code, describeResult(r)).toBe(0)
        expect(byName(parseChecks(r.stdout), 'bus redis')).toMatchObject({ status: 'ok', detail: `reachable at ${redis.url}` })
      } finally {
        await redis.stop()
      }
    },
    60_000,
  )

  it('prints one line per check, a FAIL with its fix for an incompatible plugin and for a missing dataset, and a summary', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('doctor-text')
    await writeFile(join(w.cwd, 'future.mjs'), `export default { name: 'future-plugin', version: '3.0.0', coreRange: '^9.0.0', register() {} }\n`)
    await writeFile(
      join(w.cwd, 'cooperbench.config.json'),
      JSON.stringify({ agent: 'oracle', datasetDir: './no-dataset-here', plugins: ['./future.mjs'], agents: { mini_swe_agent: { step_limit: 3 } } }),
    )
    const r = await runCliInProcess(['doctor', '--backend', 'local'], w.options())
    expect(r.code, describeResult(r)).toBe(1)
    const lines = r.stdout.trimEnd().split('\n')
    for (const line of lines.slice(0, -1)) expect(line).toMatch(/^(ok {2}|FAIL|skip) [^:]+: /)
    expect(lines.at(-1)).toMatch(/^\d+ checks: \d+ ok, 2 failed, \d+ skipped$/)
    expect(r.stdout).toMatch(/^ok {3}node: v\d+/m)
    expect(r.stdout).toContain(
      `FAIL plugin future-plugin: incompatible: plugin future-plugin@3.0.0 requires @cooperbench/core ^9.0.0, but this is @cooperbench/core ${CORE_VERSION} — fix: future-plugin is newer than this cooperbench: upgrade cooperbench`,
    )
    expect(r.stdout).toMatch(/^FAIL dataset: .*no-dataset-here.* — fix: .+$/m)
    expect(r.stdout).toMatch(/^skip backend docker: not selected by --backend$/m)
  }, 180_000)

  it('says plainly that a backend without isolation runs commands on this machine (never "none isolation")', async () => {
    const w = await makeWorkdir('doctor-no-isolation')
    // A host-process backend, as a third-party author writes one: no sandbox around its commands.
    await writeFile(
      join(w.cwd, 'host-backend.mjs'),
      `export default { name: 'host-backend-plugin', version: '1.0.0', register(api) {
        api.backend({ name: 'host', specificationVersion: 'backend-v1', create: () => ({
          specificationVersion: 'backend-v1', name: 'host',
          capabilities: { isolation: 'none', network: true, snapshots: false },
          async preflight() {}, async supportsTask() { return { ok: true } },
          async createSandbox() { throw new Error('not in this test') }, async reap() { return [] },
        }) })
      } }\n`,
    )
    await writeFile(
      join(w.cwd, 'cooperbench.config.json'),
      JSON.stringify({ agent: 'oracle', backend: 'host', datasetDir: DEMO_DATASET, plugins: ['./host-backend.mjs'] }),
    )
    const r = await runCliInProcess(['doctor', '--backend', 'host'], w.options())
    expect(r.stdout, describeResult(r)).toMatch(
      /^ok {3}backend host: ready, no isolation: commands run directly on this machine, as you; the configured backend$/m,
    )
    expect(r.stdout).not.toContain('none isolation')
  }, 180_000)

  it('fails the agent check with every invalid option and its path, and the config check for a section no installed plugin reads', async () => {
    const w = await makeWorkdir('doctor-agent-options')
    const config = { agent: 'mini_swe_agent', modelName: 'openai/gpt-4o', datasetDir: DEMO_DATASET, agents: { mini_swe_agent: { step_limt: 3 } } }
    await writeFile(join(w.cwd, 'cooperbench.config.json'), JSON.stringify({ ...config, settings: { teem: { mcp: false } } }))
    const r = await runCliInProcess(['doctor', '--json', '--backend', 'local'], w.options({ env: { OPENAI_API_KEY: 'sk-test' } }))
    expect(r.code, describeResult(r)).toBe(1)
    expect(byName(parseChecks(r.stdout), 'agent mini_swe_agent')).toEqual({
      check: 'agent mini_swe_agent',
      status: 'fail',
      detail: 'invalid options of agent mini_swe_agent: agents.mini_swe_agent.step_limt: unknown key "step_limt" (did you mean "step_limit"?)',
      fix: 'Fix these keys in agents.mini_swe_agent of the config file or in the --agent-config file.',
    })
    expect(byName(parseChecks(r.stdout), 'config')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('settings.teem in '),
    })
  }, 180_000)

  it('reports an invalid config file as a failed check and still runs the checks that do not need it', async () => {
    const w = await makeWorkdir('doctor-bad-config')
    await writeFile(join(w.cwd, 'cooperbench.config.json'), JSON.stringify({ concurency: 4 }))
    const r = await runCliInProcess(['doctor', '--json', '--backend', 'local'], w.options())
    expect(r.code, describeResult(r)).toBe(1)
    const checks = parseChecks(r.stdout)
    expect(byName(checks, 'config')).toMatchObject({ status: 'fail', detail: expect.stringContaining('concurency') })
    expect(byName(checks, 'node')).toMatchObject({ status: 'ok' })
    expect(byName(checks, 'dataset')).toMatchObject({ status: 'skip' })
  }, 180_000)
})
