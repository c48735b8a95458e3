// Sandbox lifecycle latency per backend, side by side: create, exec round-trip (argv `true`, and
// the string `true`, which runs in a login shell), one upload of four small files to /patches
// (as the evaluator stages a pair) and terminate, median and p95 over N sandboxes of one demo task.
import { join } from 'node:path'
import { median, percentile, root } from './lib.mjs'
import { availableBackends } from './backends.mjs'

const core = {
  ...(await import(join(root, 'packages/core/dist/index.js'))),
  ...(await import(join(root, 'packages/dataset/dist/index.js'))),
}
const dataset = await core.loadDataset(join(root, 'dataset'))
const task = dataset.tasks.find((t) => t.repo === 'textkit_task' && t.taskId === 7)
const N = Number(process.env.BENCH_SANDBOXES ?? 20)
const EXECS = 5

const rows = []
for (const { name, backend, skip } of await availableBackends()) {
  if (skip) {
    rows.push([name, `skipped: ${skip}`])
    continue
  }
  const spec = {
    task,
    image: core.imageName('{namespace}/cooperbench-{slug}:task{taskId}', 'cooperbench-bench', task.repo, task.taskId),
    role: 'bench',
    labels: { [core.SANDBOX_LABELS.run]: 'bench-latency' },
  }
  // Warm-up: the first sandbox also builds the image / the repository cache.
  await (await backend.createSandbox(spec)).terminate()
  const create = []
  const exec = []
  const login = []
  const upload = []
  const terminate = []
  const files = new Map(['patch1', 'patch2', 'tests1', 'tests2'].map((f) => [`/patches/${f}.patch`, Buffer.alloc(2048, 'x')]))
  for (let i = 0; i < N; i++) {
    let t = performance.now()
    const sandbox = await backend.createSandbox(spec)
    create.push(performance.now() - t)
    for (let j = 0; j < EXECS; j++) {
      t = performance.now()
      await sandbox.exec(['true'])
      exec.push(performance.now() - t)
      t = performance.now()
      await sandbox.exec('true')
      login.push(performance.now() - t)
    }
    t = performance.now()
    if (sandbox.writeFiles) await sandbox.writeFiles(files)
    else await Promise.all([...files].map(([path, bytes]) => sandbox.writeFile(path, bytes)))
    upload.push(performance.now() - t)
    t = performance.now()
    await sandbox.terminate()
    terminate.push(performance.now() - t)
  }
  await backend.close?.()
  const fmt = (xs) => `${median(xs).toFixed(1)} / ${percentile(xs, 95).toFixed(1)}`
  rows.push([name, fmt(create), fmt(exec), fmt(login), fmt(upload), fmt(terminate)])
}
console.log(`sandbox latency, ms (median / p95), ${N} sandboxes, ${EXECS} execs each`)
console.log(['backend', 'create', 'exec [true]', "exec 'true'", 'upload 4 files', 'terminate'].map((h) => h.padEnd(18)).join(''))
for (const row of rows) console.log(row.map((c) => String(c).padEnd(18)).join(''))
