// Backend `modal` over the local stand-in of Modal (its sandboxes are Docker containers):
// 1. the overhead our code adds per create / exec / terminate, against the stand-in's own
//    calls made directly (the stand-in's cost cancels out; what remains is the backend's work:
//    tags, throttle, startup check, exec wrapper);
// 2. a model of a real run's start-up under Modal's creation rate: 652 pairs × 2 agents at -c 100.
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { median, percentile, root } from './lib.mjs'

const N = Number(process.env.BENCH_SANDBOXES ?? 10)
const EXECS = 5
const fmt = (xs) => `${median(xs).toFixed(0)} / ${percentile(xs, 95).toFixed(0)}`

async function overhead() {
  let Docker
  try {
    // dockerode as the stand-ins package resolves it (a dependency there, for the Modal stand-in).
    Docker = createRequire(join(root, 'packages/standins/package.json'))('dockerode')
    await new Docker().ping()
  } catch (error) {
    console.log(`overhead: skipped (no Docker engine answers: ${error.message})`)
    return
  }
  const core = { ...(await import(join(root, 'packages/core/dist/index.js'))), ...(await import(join(root, 'packages/dataset/dist/index.js'))) }
  const { DockerBackend } = await import(join(root, 'packages/backend-docker/dist/index.js'))
  const { ModalBackend } = await import(join(root, 'packages/backend-modal/dist/index.js'))
  const { dockerModalStandin } = await import(join(root, 'packages/standins/dist/modal/index.js'))
  const dataset = await core.loadDataset(join(root, 'dataset'))
  const task = dataset.tasks.find((t) => t.repo === 'textkit_task' && t.taskId === 7)
  const image = core.imageName('{namespace}/cooperbench-{slug}:task{taskId}', 'cooperbench-bench', task.repo, task.taskId)
  const builder = new DockerBackend({ network: 'none', buildNetwork: 'none', imageNamespace: 'cooperbench-bench' })
  const [built] = await builder.prepareTasks([task], { concurrency: 1 })
  if (built.action === 'failed') throw new Error(built.error)

  const docker = new Docker()
  const port = dockerModalStandin({ docker, marker: 'bench-modal' })
  const app = await port.appFromName('cooperbench', { createIfMissing: true })
  const ref = await port.imageFromRegistry(image, null)
  // The throttle would dominate the create figure; the overhead wanted is the rest.
  const backend = new ModalBackend({ port, blockNetwork: true, createsPerSecond: 5 })
  const spec = { task, image, role: 'bench', labels: { [core.SANDBOX_LABELS.run]: 'bench-modal' } }
  const raw = { create: [], exec: [], terminate: [] }
  const ours = { create: [], exec: [], terminate: [] }
  for (let i = 0; i < N; i++) {
    let t = performance.now()
    const handle = await port.createSandbox(app, ref, { blockNetwork: true, workdir: '/workspace/repo' })
    raw.create.push(performance.now() - t)
    for (let j = 0; j < EXECS; j++) {
      t = performance.now()
      const process = await handle.exec(['true'], { mode: 'binary', stdout: 'pipe', stderr: 'pipe' })
      await process.stdin.close()
      await Promise.all([process.stdout.readBytes(), process.stderr.readBytes(), process.wait()])
      raw.exec.push(performance.now() - t)
    }
    t = performance.now()
    await handle.terminate()
    raw.terminate.push(performance.now() - t)

    t = performance.now()
    const sandbox = await backend.createSandbox(spec)
    ours.create.push(performance.now() - t)
    for (let j = 0; j < EXECS; j++) {
      t = performance.now()
      await sandbox.exec(['true'])
      ours.exec.push(performance.now() - t)
    }
    t = performance.now()
    await sandbox.terminate()
    ours.terminate.push(performance.now() - t)
  }
  await backend.close()
  console.log(`modal over the stand-in, ms (median / p95), ${N} sandboxes, ${EXECS} execs each`)
  console.log(['', 'create', 'exec true', 'terminate'].map((h) => h.padEnd(22)).join(''))
  console.log(['stand-in calls alone', fmt(raw.create), fmt(raw.exec), fmt(raw.terminate)].map((c) => c.padEnd(22)).join(''))
  console.log(['backend modal', fmt(ours.create), fmt(ours.exec), fmt(ours.terminate)].map((c) => c.padEnd(22)).join(''))
  const added = (k) => `${(median(ours[k]) - median(raw[k])).toFixed(0)} (×${(median(ours[k]) / median(raw[k])).toFixed(2)})`
  console.log(['added by our code', added('create'), added('exec'), added('terminate')].map((c) => c.padEnd(22)).join(''))
  console.log('create adds the startup check (one exec: /patches, PATH hook, git rev-parse); exec adds the timeout/kill wrapper.')
}

/**
 * Discrete model of a run's sandbox creations under a token bucket of `rate` per second:
 * `pairs` coop pairs, `concurrency` pairs at once, each needing 2 agent sandboxes at its start and
 * 1 evaluation sandbox after its agents' `agentSeconds`, evaluation taking `evalSeconds`.
 */
function model({ pairs, concurrency, rate, agentSeconds, evalSeconds }) {
  // Events in time order (ties first come, first served); creations granted one per 1/rate s.
  const events = []
  let seq = 0
  const at = (time, event) => {
    events.push({ time, seq: seq++, ...event })
    events.sort((a, b) => a.time - b.time || a.seq - b.seq)
  }
  let nextGrant = 0
  let started = 0
  let lastAgentStart = 0
  let makespan = 0
  const granted = new Map()
  for (let i = 0; i < Math.min(concurrency, pairs); i++) at(0, { kind: 'slot' })
  while (events.length > 0) {
    const event = events.shift()
    if (event.kind === 'slot') {
      if (started >= pairs) continue
      const pair = started++
      at(event.time, { kind: 'create', pair, role: 'agent' })
      at(event.time, { kind: 'create', pair, role: 'agent' })
      continue
    }
    const grant = Math.max(event.time, nextGrant)
    nextGrant = grant + 1 / rate
    if (event.role === 'agent') {
      const count = (granted.get(event.pair) ?? 0) + 1
      granted.set(event.pair, count)
      if (count === 2) {
        lastAgentStart = Math.max(lastAgentStart, grant)
        at(grant + agentSeconds, { kind: 'create', pair: event.pair, role: 'eval' })
      }
    } else {
      makespan = Math.max(makespan, grant + evalSeconds)
      at(grant + evalSeconds, { kind: 'slot' })
    }
  }
  return { lastAgentStart, makespan }
}

function runModel() {
  const agentSeconds = Number(process.env.BENCH_AGENT_MINUTES ?? 10) * 60
  const evalSeconds = 60
  const base = { pairs: 652, concurrency: 100, agentSeconds, evalSeconds }
  const unlimited = model({ ...base, rate: 1e9 })
  console.log(`\nmodel: 652 coop pairs at -c 100, agents ${agentSeconds / 60} min, evaluation ${evalSeconds} s (BENCH_AGENT_MINUTES to change)`)
  console.log(['creations/s', 'first 100 pairs started', 'run length', 'vs no limit'].map((h) => h.padEnd(26)).join(''))
  for (const rate of [4, 5]) {
    const first = model({ ...base, pairs: 100, rate })
    const full = model({ ...base, rate })
    console.log(
      [String(rate), `${first.lastAgentStart.toFixed(0)} s`, `${(full.makespan / 60).toFixed(1)} min`, `×${(full.makespan / unlimited.makespan).toFixed(3)}`]
        .map((c) => c.padEnd(26))
        .join(''),
    )
  }
}

if (!process.env.BENCH_MODEL_ONLY) await overhead()
runModel()
