// Evaluation per backend on the demo subset: the coop oracle's patches evaluated with
// `cooperbench eval --force`. At -c 1: each pair's phases (sandbox creation, upload, setup +
// merge, each test run, removal) from eval.json's timings, next to a floor measured in the same
// run on the same pairs and backend (a sandbox, the patches uploaded at once, a plain git merge,
// runner.sh once per feature, removal: what any harness must do), and the ratio; then the same pairs with their test runs one
// after another (COOPERBENCH_TEST_RUN_CORES=1). Then throughput at -c 1 and -c 4.
// BENCH_ROUNDS (default 2) alternates eval and floor rounds, so load changes hit both alike.
import { readFileSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { median, root, runCli, tempDir } from './lib.mjs'
import { availableBackends } from './backends.mjs'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2)
const PARALLEL_CORES = 4
// BENCH_BACKENDS=local,docker (default: every available backend).
const BACKENDS = process.env.BENCH_BACKENDS?.split(',') ?? null
// eval.json keeps this much of the merged patch (core's MERGED_HEAD_BYTES): a longer one cannot be replayed.
const MERGED_HEAD_BYTES = 20_000
const core = {
  ...(await import(join(root, 'packages/core/dist/index.js'))),
  ...(await import(join(root, 'packages/core/dist/dataset/index.js'))),
}
const cwd = tempDir('cooperbench-bench-eval-')
writeFileSync(join(cwd, 'cooperbench.config.json'), JSON.stringify({ backends: { docker: { network: 'none' } } }))
const dataset = ['--dataset-dir', join(root, 'dataset')]
const tasks = (await core.loadDataset(join(root, 'dataset'))).tasks
const name = 'bench-coop'
const prepared = await runCli(['run', '-s', 'demo', '-a', 'oracle', '-n', name, '--no-auto-eval', '-c', '4', ...dataset], cwd)
if (prepared.code !== 0) {
  console.error(prepared.stderr)
  process.exit(1)
}

/** One `cooperbench eval --force` of the run; its pairs with their eval.json. `cores`: COOPERBENCH_TEST_RUN_CORES. */
async function evaluate(backend, concurrency, cores) {
  const env = cores === undefined ? process.env : { ...process.env, COOPERBENCH_TEST_RUN_CORES: String(cores) }
  const result = await runCli(['eval', '-n', name, '--force', '-c', String(concurrency), '--backend', backend, '--json', ...dataset], cwd, env)
  if (result.code !== 0) {
    console.error(result.stderr)
    process.exit(1)
  }
  const summary = JSON.parse(result.stdout)
  const pairs = summary.results.map((r) => {
    const [repo, task, features] = r.run.split('/')
    const dir = join(cwd, 'logs', name, 'coop', repo, task, `f${features.replaceAll(',', '_f')}`)
    return { repo, taskId: Number(task), features: features.split(',').map(Number), dir, record: JSON.parse(readFileSync(join(dir, 'eval.json'), 'utf8')) }
  })
  return { summary, seconds: result.seconds, pairs }
}

/**
 * The merge any harness must do, as plainly as git allows: a branch per agent from the base, the
 * patch applied and committed, the first branch merged into the second, the diff written, the
 * tree back at the base. Failures are ignored (a patch that does not apply, a conflict): the
 * floor only spends the time; the runs use the evaluation's own merged patch.
 */
const FLOOR_MERGE_SCRIPT = [
  'cd /workspace/repo',
  'g() { git -c "safe.directory=*" -c user.name=floor -c user.email=floor@localhost -c core.hooksPath=/dev/null "$@"; }',
  'base=$(g rev-parse HEAD)',
  'g checkout -q -b floor1 && g apply /patches/patch1.patch; g add -A && g commit -q --allow-empty -m 1',
  'g checkout -q -f -b floor2 "$base" && g apply /patches/patch2.patch; g add -A && g commit -q --allow-empty -m 2',
  'g merge -q --no-edit floor1 || g merge --abort',
  'g diff --binary "$base" HEAD > /patches/floor-merged.patch',
  'g checkout -q -f --detach "$base"',
  'true',
].join('\n')

/**
 * The floor of one pair: create, one upload of the agents' patches, the tests patches and the
 * merged patch, the merge, runner.sh per feature, remove.
 */
async function floorOf(backend, namespace, pair) {
  const task = tasks.find((t) => t.repo === pair.repo && t.taskId === pair.taskId)
  const merged = pair.record.merge?.diff ?? ''
  if (merged === '' || Buffer.byteLength(merged) >= MERGED_HEAD_BYTES) return null
  const files = new Map([
    ['/patches/merged.patch', Buffer.from(merged)],
    ...pair.features.map((f, i) => [`/patches/patch${i + 1}.patch`, readFileSync(join(pair.dir, `agent${f}.patch`))]),
    ...pair.features.map((f, i) => [`/patches/tests${i + 1}.patch`, readFileSync(join(task.dir, `feature${f}`, 'tests.patch'))]),
  ])
  const spec = {
    task,
    image: core.imageName('{namespace}/cooperbench-{slug}:task{taskId}', namespace, task.repo, task.taskId),
    role: 'bench',
    labels: { [core.SANDBOX_LABELS.run]: 'bench-eval-floor' },
  }
  const started = performance.now()
  const sandbox = await backend.createSandbox(spec)
  if (sandbox.writeFiles) await sandbox.writeFiles(files)
  else await Promise.all([...files].map(([path, bytes]) => sandbox.writeFile(path, bytes)))
  await sandbox.exec(FLOOR_MERGE_SCRIPT, { timeoutMs: 600_000 })
  for (const [i] of pair.features.entries()) {
    // Whether the tests pass does not matter here, only how long the run takes.
    await sandbox.exec(`bash /usr/local/bin/runner.sh tests${i + 1}.patch merged.patch`, { cwd: '/workspace/repo', timeoutMs: 600_000 })
  }
  await sandbox.terminate()
  return performance.now() - started
}

const s = (ms) => (ms / 1000).toFixed(2)
for (const { name: backend, backend: instance, skip } of await availableBackends()) {
  if (BACKENDS !== null && !BACKENDS.includes(backend)) continue
  if (skip) {
    console.log(`${backend.padEnd(7)} skipped: ${skip}`)
    continue
  }
  if (backend === 'docker') await runCli(['images', 'build', '-s', 'demo', ...dataset], cwd)
  const namespace = 'akhatua'
  const totals = []
  const sequentialTotals = []
  const floors = []
  const phases = new Map()
  let last
  for (let round = 0; round < ROUNDS; round++) {
    // Test runs at once whatever the machine's load (other helpers' work would otherwise turn them off).
    last = await evaluate(backend, 1, PARALLEL_CORES)
    for (const pair of last.pairs) {
      const timings = pair.record.timings ?? {}
      totals.push(timings.total)
      for (const [phase, ms] of Object.entries(timings)) if (phase !== 'total' && phase !== 'prepare') phases.set(phase, [...(phases.get(phase) ?? []), ms])
    }
    // The same with one core for test runs: each pair's runs one after another in one sandbox.
    for (const pair of (await evaluate(backend, 1, 1)).pairs) sequentialTotals.push(pair.record.timings.total)
    for (const pair of last.pairs) {
      const floor = await floorOf(instance, namespace, pair)
      if (floor !== null) floors.push(floor)
    }
  }
  await instance.close?.()
  const phaseText = [...phases]
    .map(([phase, values]) => `${phase === 'sandbox' ? 'create' : phase === 'write' ? 'upload' : phase} ${s(median(values))}`)
    .join(', ')
  console.log(
    `${backend.padEnd(7)} eval -c 1 with parallel test runs (COOPERBENCH_TEST_RUN_CORES=${PARALLEL_CORES}), ${last.pairs.length} pairs x ${ROUNDS} rounds (load ${loadavg()[0].toFixed(2)}); median seconds per pair:`,
  )
  console.log(`        phases: ${phaseText}`)
  console.log(
    `        total ${s(median(totals))}; floor ${s(median(floors))} (same pairs, same backend); ratio ${(median(totals) / median(floors)).toFixed(3)} (target <= 1.03)`,
  )
  console.log(
    `        test runs one after another (COOPERBENCH_TEST_RUN_CORES=1): total ${s(median(sequentialTotals))}, ratio to the floor ${(median(sequentialTotals) / median(floors)).toFixed(3)}; parallel runs ${(median(sequentialTotals) / median(totals)).toFixed(2)}x shorter per pair`,
  )
  for (const concurrency of [1, 4]) {
    const { summary, seconds, pairs } = concurrency === 1 ? last : await evaluate(backend, concurrency)
    const perPair = pairs.map((p) => p.record.timings.total / 1000)
    const count = summary.total_runs
    console.log(
      `        eval -c ${concurrency}: ${count} pairs in ${seconds.toFixed(1)} s = ${((count / seconds) * 60).toFixed(1)} pairs/min; median ${median(perPair).toFixed(2)} s per pair (passed ${summary.passed}, failed ${summary.failed}, errors ${summary.errors})`,
    )
  }
}
