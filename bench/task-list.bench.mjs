// The team task list's cost per operation over the bus's shared log, memory and Redis side by
// side: create, claim (an unowned task, one claimer), a contested claim (8 claimers on their own
// handles of the log, one wins), update, list (of the N tasks made) and log; median / p95 in ms over
// N operations each. Redis runs a throwaway redis-server on a free port (skipped when there is none).
import { join } from 'node:path'
import { median, percentile, root } from './lib.mjs'

const { MemoryBus } = await import(join(root, 'packages/builtins/dist/index.js'))
const { RedisBus } = await import(join(root, 'packages/bus-redis/dist/index.js'))
const { TeamTaskList } = await import(join(root, 'packages/setting-team/dist/index.js'))
const { startRedisServer, redisServerBinary } = await import(join(root, 'packages/testkit/dist/index.js'))
const N = Number(process.env.BENCH_TASK_OPS ?? 300)
const CLAIMERS = 8

/** Every log handle opened, closed at the end (a task list does not own its log). */
const logs = []
/** A task list on its own handle of the log `name` (a seat's list in another process would be one). */
async function openList(bus, name) {
  const log = await bus.openLog(name)
  logs.push(log)
  return new TeamTaskList(log)
}
const closeLogs = async () => {
  for (const log of logs.splice(0)) await log.close()
}

async function measure(bus) {
  const name = `bench-${Date.now()}`
  const list = await openList(bus, name)
  const rivals = await Promise.all(Array.from({ length: CLAIMERS - 1 }, () => openList(bus, name)))
  const times = { create: [], claim: [], contested: [], update: [], list: [], log: [] }
  const timed = async (name, f) => {
    const t = performance.now()
    const value = await f()
    times[name].push(performance.now() - t)
    return value
  }
  for (let i = 0; i < N; i++) {
    const task = await timed('create', () => list.create('agent1', `task ${i}`))
    await timed('claim', () => list.claim(task.id, 'agent2'))
    await timed('update', () => list.update(task.id, 'agent2', 'done', `note ${i}`))
    const contested = await list.create('agent1', `contested ${i}`)
    const outcomes = await timed('contested', () => Promise.all([list, ...rivals].map((l, k) => l.claim(contested.id, `agent${k + 1}`))))
    if (outcomes.filter((o) => o.outcome === 'claimed').length !== 1) throw new Error(`race ${i}: not exactly one winner`)
  }
  for (let i = 0; i < Math.min(N, 50); i++) {
    await timed('list', () => list.list())
    await timed('log', () => list.log())
  }
  await closeLogs()
  return times
}

const rows = []
const fmt = (xs) => `${median(xs).toFixed(3)} / ${percentile(xs, 95).toFixed(3)}`
const row = (name, t) => [name, fmt(t.create), fmt(t.claim), fmt(t.contested), fmt(t.update), fmt(t.list), fmt(t.log)]

const memory = new MemoryBus()
rows.push(row('memory', await measure(memory)))
await memory.close()

if (redisServerBinary()) {
  const server = await startRedisServer()
  try {
    const bus = new RedisBus({ url: server.url })
    rows.push(row('redis', await measure(bus)))
    await bus.close()
  } finally {
    await server.stop()
  }
} else rows.push(['redis', 'skipped: no redis-server'])

console.log(`task list, ms per operation (median / p95), ${N} of each; contested = ${CLAIMERS} concurrent claims; list/log over ${2 * N} tasks`)
console.log(['store', 'create', 'claim', `claim x${CLAIMERS}`, 'update', 'list', 'log'].map((h) => h.padEnd(18)).join(''))
for (const r of rows) console.log(r.map((c) => String(c).padEnd(18)).join(''))

// The in-sandbox commands: `coop-task-create` then `coop-task-claim` in a local sandbox, installed
// and answered by the harness's seat-tool relay (core's serveTools, as a run serves a seat); the
// round trip is dominated by the relay's spool and by the backend's exec.
const ROUNDS = Number(process.env.BENCH_TASK_COMMANDS ?? 10)
const { serveTools } = await import(join(root, 'packages/core/dist/runner/index.js'))
const { teamTools } = await import(join(root, 'packages/setting-team/dist/commands/team-tools.js'))
const { silentLogger } = await import(join(root, 'packages/spec-utils/dist/index.js'))
const { loadDataset } = await import(join(root, 'packages/dataset/dist/index.js'))
const { LocalBackend } = await import(join(root, 'packages/backend-local/dist/index.js'))
const dataset = await loadDataset(join(root, 'dataset'))
const task = dataset.tasks.find((t) => t.repo === 'textkit_task' && t.taskId === 7)
const backend = new LocalBackend({})
try {
  const sandbox = await backend.createSandbox({ task, image: 'local', role: 'bench', labels: {} })
  const bus = new MemoryBus()
  const list = await openList(bus, 'bench-commands')
  const tools = teamTools({ list, agentId: 'agent1', agents: ['agent1', 'agent2'], protocol: false }).filter((tool) => tool.kind === 'command')
  const options = { agentId: 'agent1', env: {}, logger: silentLogger, signal: new AbortController().signal, hostSpoolDir: null, linkCommands: false }
  const served = await serveTools(sandbox, tools, options)
  const exec = []
  const roundTrip = []
  for (let i = 0; i < ROUNDS; i++) {
    let t = performance.now()
    await served.agentSandbox.exec(['true'])
    exec.push(performance.now() - t)
    t = performance.now()
    const created = await served.agentSandbox.exec(['sh', '-c', `id=$(coop-task-create "task ${i}") && coop-task-claim "$id"`])
    if (created.exitCode !== 0) throw new Error(`commands failed: ${created.stdout}${created.stderr}`)
    roundTrip.push((performance.now() - t) / 2)
  }
  await served.stop()
  await sandbox.terminate()
  await closeLogs()
  await bus.close()
  console.log(`\nin-sandbox commands (local backend, the seat-tool relay), ms (median / p95) over ${ROUNDS}`)
  console.log(`exec [true] ${fmt(exec)}    per coop-task-* command ${fmt(roundTrip)}`)
} catch (error) {
  console.log(`\nin-sandbox commands: skipped (${error.message})`)
} finally {
  await backend.close()
}
