// How many coop pairs one harness process runs at once with mini_swe_agent and a scripted LLM
// (every model call answered after a fixed delay), on the local backend, and its peak RSS.
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cli, root, startStepModel, tempDir } from './lib.mjs'

const PAIRS = Number(process.env.BENCH_PAIRS ?? 50)
const STEPS = 5
const DELAY_MS = 400
const { createFixtureTask } = await import(join(root, 'packages/testkit/dist/index.js'))

// A task with n features has n(n-1)/2 pairs: 11 features → 55.
let features = 2
while ((features * (features - 1)) / 2 < PAIRS) features++
const base = { 'app.py': 'def value():\n    return 1\n', 'run_tests.py': 'print("1 passed in 0.01s")\n' }
const task = await createFixtureTask({
  repo: 'bench_task',
  taskId: 1,
  base,
  hostTools: ['bash', 'git', 'python3'],
  features: Array.from({ length: features }, (_, i) => ({
    spec: `**Title**: feature ${i + 1}`,
    source: { [`feature_${i + 1}.py`]: `VALUE = ${i + 1}\n` },
    tests: { [`tests/test_feature_${i + 1}.py`]: 'assert True\n' },
  })),
})

const server = await startStepModel({ steps: STEPS, delayMs: DELAY_MS })

const cwd = tempDir('cooperbench-bench-pairs-')
writeFileSync(join(cwd, 'cooperbench.config.json'), '{}')
const args = [
  'run',
  '--dataset-dir',
  task.datasetDir,
  '-a',
  'mini_swe_agent',
  '-m',
  'openai/bench',
  '--model-base-url',
  server.url,
  '-c',
  String(PAIRS),
  '--no-auto-eval',
  '-n',
  'bench-pairs',
]
const started = performance.now()
const child = spawn(process.execPath, [cli, ...args], { cwd, env: { ...process.env, OPENAI_API_KEY: 'bench' }, stdio: ['ignore', 'ignore', 'pipe'] })
let stderr = ''
child.stderr.on('data', (d) => (stderr += d))
let peakRss = 0
const poll = setInterval(() => {
  try {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
    const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024
    peakRss = Math.max(peakRss, rss)
  } catch {}
}, 50)
const code = await new Promise((r) => child.on('close', r))
clearInterval(poll)
const seconds = (performance.now() - started) / 1000
await server.close()
await task.cleanup()
const summary = JSON.parse(readFileSync(join(cwd, 'logs', 'bench-pairs', 'summary.json'), 'utf8'))
if (code !== 0) {
  console.error(stderr)
  process.exit(1)
}
const selected = Math.min(PAIRS, summary.total_tasks)
console.log(
  `${summary.completed}/${summary.total_tasks} coop pairs with -c ${PAIRS}: peak ${server.peak()} model calls in flight (max ${2 * selected}), ` +
    `wall ${seconds.toFixed(1)} s (one pair alone needs ${((STEPS * DELAY_MS) / 1000).toFixed(1)} s of model time), peak RSS ${(peakRss / 1e6).toFixed(0)} MB (target < 1000 MB)`,
)
