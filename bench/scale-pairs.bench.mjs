// Scale in one process: BENCH_PAIRS (default 1000) coop pairs of mini_swe_agent at -c BENCH_PAIRS in ONE
// harness process (the CLI, a child of this script), against a cloud stand-in and the scripted model of
// @cooperbench/testkit (every model call answered after BENCH_DELAY_MS). Measures the harness's peak RSS
// (VmHWM from /proc), event-loop responsiveness (the gaps between ticks of a 250 ms timer in the harness,
// the period of the live progress line, and their max / p99; also perf_hooks' event-loop delay), the
// gaps between its `[Task i/N]` progress lines on stderr, and wall time per pair.
//
// The cloud stand-in is backend `modal-host-standin`: the real `modal` backend (throttle, retries, live
// cap, tags, startup check, exec wrapper) over `hostModalStandin` of @cooperbench/standins/modal, whose
// control plane answers every call after BENCH_LATENCY_MS (creation after BENCH_CREATE_LATENCY_MS) and
// whose sandboxes are folders on this machine, each exec one bubblewrap process (2000 containers would
// not fit a 2-core machine). Sandbox state lives in those folders and processes, not in the harness's heap.
// What it does not stand in for: Modal's gRPC client and its buffers (an exec here is a local pipe), its
// creation limit (createsPerSecond is raised to BENCH_CREATES_PER_SECOND, default 100, past Modal's 5, so
// that all pairs overlap instead of the run being a 400 s ramp), network isolation, cpu/memory limits.
// BENCH_HEAP_SNAPSHOT=S writes a heap snapshot of the harness S seconds after the last pair started (in ./heap).
import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { cli, percentile, root, startStepModel, tempDir } from './lib.mjs'

const PAIRS = Number(process.env.BENCH_PAIRS ?? 1000)
const STEPS = Number(process.env.BENCH_STEPS ?? 5)
const DELAY_MS = Number(process.env.BENCH_DELAY_MS ?? 3000)
const { createFixtureTask } = await import(join(root, 'packages/testkit/dist/index.js'))

// A task with n features has n(n-1)/2 pairs: 46 features → 1035.
let features = 2
while ((features * (features - 1)) / 2 < PAIRS) features++
const task = await createFixtureTask({
  repo: 'bench_task',
  taskId: 1,
  base: { 'app.py': 'def value():\n    return 1\n', 'run_tests.py': 'print("1 passed in 0.01s")\n' },
  features: Array.from({ length: features }, (_, i) => ({
    spec: `**Title**: feature ${i + 1}`,
    source: { [`feature_${i + 1}.py`]: `VALUE = ${i + 1}\n` },
    tests: { [`tests/test_feature_${i + 1}.py`]: 'assert True\n' },
  })),
})

const cwd = tempDir('cooperbench-bench-scale-')
// What every task image has at /workspace/repo: the task's repository at its base commit.
const imageRepo = join(cwd, 'image-repo')
spawnSync('git', ['clone', '-q', join(task.taskDir, 'repo.bundle'), imageRepo], { stdio: 'inherit' })
spawnSync('git', ['-C', imageRepo, 'checkout', '-q', task.baseCommit], { stdio: 'inherit' })

const standin = (sub) => pathToFileURL(join(root, sub)).href
writeFileSync(
  join(cwd, 'scale-standin.mjs'),
  `import { hostModalStandin } from ${JSON.stringify(standin('packages/standins/dist/modal/index.js'))}
import { ModalBackend, modalBackendOptionsSchema } from ${JSON.stringify(standin('packages/backend-modal/dist/index.js'))}
export default {
  name: 'bench-scale-standin',
  version: '0.0.0',
  coreRange: '^0.1.0',
  register(api) {
    api.backend({
      name: 'modal-host-standin',
      specificationVersion: 'backend-v1',
      description: 'the modal backend over a light stand-in of Modal (sandboxes are host folders; for the scale bench)',
      optionsSchema: modalBackendOptionsSchema,
      create: async (context) => {
        const port = hostModalStandin({
          imageRepo: () => ${JSON.stringify(imageRepo)},
          root: ${JSON.stringify(join(cwd, 'sandboxes'))},
          latencyMs: ${Number(process.env.BENCH_LATENCY_MS ?? 50)},
          createLatencyMs: ${Number(process.env.BENCH_CREATE_LATENCY_MS ?? 1000)},
        })
        return new ModalBackend({ ...context.options, createsPerSecond: ${Number(process.env.BENCH_CREATES_PER_SECOND ?? 100)}, logger: context.logger, port })
      },
    })
  },
}
`,
)
writeFileSync(
  join(cwd, 'cooperbench.config.json'),
  JSON.stringify({ plugins: ['./scale-standin.mjs'], backends: { 'modal-host-standin': { blockNetwork: true, maxLiveSandboxes: 2 * PAIRS + 10 } } }),
)
// Loaded into the harness: ticks of a 250 ms timer (the live progress line's period) and the event-loop delay, written at exit.
const probe = join(cwd, 'probe.mjs')
writeFileSync(
  probe,
  `import { writeFileSync } from 'node:fs'
import { monitorEventLoopDelay } from 'node:perf_hooks'
const delay = monitorEventLoopDelay({ resolution: 10 })
delay.enable()
const ticks = []
let peak = { rss: 0 }
setInterval(() => {
  ticks.push(Date.now())
  const usage = process.memoryUsage()
  if (usage.rss > peak.rss) peak = usage
}, 250).unref()
// Per process: child processes of the harness (the stand-in's server) inherit NODE_OPTIONS and load this too.
process.on('exit', () => writeFileSync(${JSON.stringify(cwd)} + '/probe-' + process.pid + '.json', JSON.stringify({ ticks, peak, maxMs: delay.max / 1e6, p99Ms: delay.percentile(99) / 1e6 })))
`,
)

const server = await startStepModel({ steps: STEPS, delayMs: DELAY_MS })

const name = 'bench-scale'
const args = ['run', '--dataset-dir', task.datasetDir, '-a', 'mini_swe_agent', '-m', 'openai/bench', '--model-base-url', server.url]
args.push('--backend', 'modal-host-standin', '-c', String(PAIRS), '--no-auto-eval', '-n', name)
const heap = join(cwd, 'heap')
mkdirSync(heap)
const nodeOptions = [
  `--import=${pathToFileURL(probe).href}`,
  ...(process.env.BENCH_HEAP_SNAPSHOT ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${heap}`] : []),
  // e.g. --cpu-prof --cpu-prof-dir=/tmp/prof
  ...(process.env.BENCH_NODE_OPTIONS ? [process.env.BENCH_NODE_OPTIONS] : []),
]
const started = performance.now()
const startedAt = Date.now()
const child = spawn(process.execPath, [cli, ...args], {
  cwd,
  env: { ...process.env, OPENAI_API_KEY: 'bench', NODE_OPTIONS: nodeOptions.join(' ') },
  stdio: ['ignore', 'ignore', 'pipe'],
})
let stderr = ''
const taskLines = []
let startedPairs = 0
let snapshotTaken = false
child.stderr.on('data', (d) => {
  const now = Date.now()
  stderr += d
  if (process.env.BENCH_VERBOSE) process.stderr.write(`${((now - startedAt) / 1000).toFixed(2)} ${d}`)
  for (const line of String(d).split('\n')) {
    if (!line.startsWith('[Task ')) continue
    taskLines.push(now)
    if (/^\[Task \d+\/\d+\] \S/.test(line) && !line.includes(' ✓ ') && !line.includes(' ✗ ')) startedPairs++
  }
  if (process.env.BENCH_HEAP_SNAPSHOT && !snapshotTaken && startedPairs >= PAIRS) {
    snapshotTaken = true
    setTimeout(() => child.kill('SIGUSR2'), Number(process.env.BENCH_HEAP_SNAPSHOT) * 1000)
  }
})
let peakRss = 0
const rssAt = []
const poll = setInterval(() => {
  try {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
    peakRss = Math.max(peakRss, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024)
    rssAt.push(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024)
  } catch {}
}, 200)
const [code] = await once(child, 'close')
const seconds = (performance.now() - started) / 1000
clearInterval(poll)
await Promise.all([server.close(), task.cleanup()])
if (code !== 0) {
  console.error(stderr.slice(-5000))
  process.exit(1)
}
const summary = JSON.parse(readFileSync(join(cwd, 'logs', name, 'summary.json'), 'utf8'))
const probed = JSON.parse(readFileSync(join(cwd, `probe-${child.pid}.json`), 'utf8'))
const gaps = (times) => times.slice(1).map((t, i) => t - times[i])
// From the first pair's start on: loading the CLI's modules before it is start-up, not the run.
const tickGaps = gaps(probed.ticks.filter((t) => t >= taskLines[0]))
const lineGaps = gaps(taskLines)
const ms = (x) => `${(x ?? 0).toFixed(0)} ms`
console.log(
  `${summary.completed}/${summary.total_tasks} coop pairs at -c ${PAIRS} (${STEPS} model calls of ${DELAY_MS} ms per agent): ` +
    `peak ${server.peak()} model calls in flight (max ${2 * Math.min(PAIRS, summary.total_tasks)}), wall ${seconds.toFixed(1)} s, ` +
    `${((seconds * 1000) / summary.total_tasks).toFixed(0)} ms per pair`,
)
const mb = (bytes) => `${(bytes / 1e6).toFixed(0)} MB`
const at = probed.peak
console.log(
  `peak RSS ${mb(peakRss)} (target < 1000 MB); when highest: heap used ${mb(at.heapUsed)} of ${mb(at.heapTotal)}, external ${mb(at.external)} (array buffers ${mb(at.arrayBuffers)})`,
)
console.log(
  `event loop: 250 ms timer gaps max ${ms(Math.max(...tickGaps))} p99 ${ms(percentile(tickGaps, 99))}; delay max ${ms(probed.maxMs)} p99 ${ms(probed.p99Ms)}; ` +
    `[Task] line gaps max ${ms(Math.max(...lineGaps))} p99 ${ms(percentile(lineGaps, 99))} (target: progress within 1000 ms)`,
)
if (process.env.BENCH_HEAP_SNAPSHOT) console.log(`heap snapshot in ${heap}`)
else rmSync(cwd, { recursive: true, force: true })
if (process.env.BENCH_RSS_TRACE) writeFileSync(process.env.BENCH_RSS_TRACE, JSON.stringify(rssAt))
