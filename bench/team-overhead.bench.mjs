// A team pair's harness overhead beside a coop pair's: the same pairs, the same agent
// (mini_swe_agent) and the same scripted model (every call answered after a fixed delay with a
// command, the same number of calls in both settings), so what differs is the team setting's own
// work — seeding the task list, the in-sandbox commands and their server, the mirror, the
// scratchpad, the metrics. Arms alternate (coop, team, coop, team, …); the figure is the median
// wall time of a pair per arm and their ratio (goal: team within 5 % of coop).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { median, root, runCli, startStepModel, tempDir } from './lib.mjs'

const ROUNDS = Number(process.env.BENCH_TEAM_ROUNDS ?? 3)
const STEPS = 5
const DELAY_MS = 200
const { createFixtureTask } = await import(join(root, 'packages/testkit/dist/index.js'))

// Four features: six pairs per run.
const task = await createFixtureTask({
  repo: 'bench_task',
  taskId: 1,
  base: { 'app.py': 'def value():\n    return 1\n', 'run_tests.py': 'print("1 passed in 0.01s")\n' },
  hostTools: ['bash', 'git', 'python3'],
  features: Array.from({ length: 4 }, (_, i) => ({
    spec: `**Title**: feature ${i + 1}`,
    source: { [`feature_${i + 1}.py`]: `VALUE = ${i + 1}\n` },
    tests: { [`tests/test_feature_${i + 1}.py`]: 'assert True\n' },
  })),
})
const server = await startStepModel({ steps: STEPS, delayMs: DELAY_MS })
const cwd = tempDir('cooperbench-bench-team-')
writeFileSync(join(cwd, 'cooperbench.config.json'), '{}')
const env = { ...process.env, OPENAI_API_KEY: 'bench' }

/** Per-pair wall times (s) of one run: each pair's result.json `duration_seconds`, else its agents' longest. */
function pairSeconds(runDir, setting) {
  const seconds = []
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name === 'result.json') {
        const result = JSON.parse(readFileSync(path, 'utf8'))
        const agents = Object.values(result.agents ?? {})
        const value = result.duration_seconds ?? Math.max(...agents.map((a) => a.duration_seconds ?? 0))
        seconds.push(value)
      }
    }
  }
  walk(join(runDir, setting))
  return seconds
}

const arms = { coop: { run: [], pair: [] }, team: { run: [], pair: [] } }
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const setting of ['coop', 'team']) {
      const name = `bench-${setting}-${round}`
      const args = ['run', '--dataset-dir', task.datasetDir, '--setting', setting, '-a', 'mini_swe_agent', '-m', 'openai/bench']
      const r = await runCli([...args, '--model-base-url', server.url, '-c', '6', '--no-auto-eval', '-n', name], cwd, env)
      if (r.code !== 0) throw new Error(`${setting} run ${round} exited ${r.code}:\n${r.stderr}`)
      arms[setting].run.push(r.seconds)
      arms[setting].pair.push(...pairSeconds(join(cwd, 'logs', name), setting))
    }
  }
} finally {
  await server.close()
  await task.cleanup()
}
const coop = median(arms.coop.pair)
const team = median(arms.team.pair)
console.log(
  `6 pairs × ${ROUNDS} rounds per arm, ${STEPS} model calls of ${DELAY_MS} ms per agent: ` +
    `median pair coop ${coop.toFixed(2)} s, team ${team.toFixed(2)} s (team/coop ${(team / coop).toFixed(3)}, goal ≤ 1.05); ` +
    `median run coop ${median(arms.coop.run).toFixed(2)} s, team ${median(arms.team.run).toFixed(2)} s`,
)
