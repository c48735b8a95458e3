// Evaluation per backend on the demo subset (or BENCH_DATASET/BENCH_SELECT): the coop oracle's patches evaluated with
// `cooperbench eval --force`. At -c 1: each pair's phases (sandbox creation, upload, setup +
// merge, each test run, removal) from eval.json's timings, next to a floor measured in the same
// run on the same pairs and backend (a sandbox, the patches uploaded at once, a plain git merge,
// runner.sh once per feature, removal: what any harness must do), and the ratio; then the same pairs with their test runs one
// after another (COOPERBENCH_TEST_RUN_CORES=1). Then throughput at -c 1 and -c 4.
// BENCH_ROUNDS (default 2) alternates eval and floor rounds, so load changes hit both alike.
import { readFileSync, writeFileSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { join } from 'node:path'
import { median, pairedRatio, ratioText, root, runCli, tempDir, verdictOf } from './lib.mjs'
import { availableBackends } from './backends.mjs'
import { physicalDockerFloor } from './docker-floor.mjs'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2)
const PARALLEL_CORES = 4
// BENCH_BACKENDS=local,docker (default: every available backend).
const BACKENDS = process.env.BENCH_BACKENDS?.split(',') ?? null
const core = {
  ...(await import(join(root, 'packages/core/dist/index.js'))),
  ...(await import(join(root, 'packages/dataset/dist/index.js'))),
}
const cwd = tempDir('cooperbench-bench-eval-')
writeFileSync(join(cwd, 'cooperbench.config.json'), JSON.stringify({ backends: { docker: { network: 'none' } } }))
// Real tasks whose images are built: BENCH_DATASET=<dataset folder> and BENCH_SELECT, the `run`
// filters of each selection, `;` between selections (default: the demo subset of the repo's dataset).
const datasetDir = process.env.BENCH_DATASET ?? join(root, 'dataset')
const selections = (process.env.BENCH_SELECT ?? '-s demo').split(';').map((selection) => selection.trim().split(/\s+/))
const dataset = ['--dataset-dir', datasetDir]
const tasks = (await core.loadDataset(datasetDir)).tasks
const name = 'bench-coop'
for (const selection of selections) {
  // Real tasks declare no local support: their oracle runs on docker.
  const backend = process.env.BENCH_DATASET ? ['--backend', 'docker'] : []
  const prepared = await runCli(['run', ...selection, '-a', 'oracle', '-n', name, '--no-auto-eval', '-c', '4', ...backend, ...dataset], cwd)
  if (prepared.code !== 0) {
    console.error(prepared.stderr)
    process.exit(1)
  }
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
 * patch applied and committed, the first branch merged into the second (again with union
 * attributes when that conflicts), the diff written, the tree back at the base. Failures are ignored (a patch that does not apply, a conflict): the
 * floor only spends the time. The runs test the floor's own merged patch: eval.json keeps only the
 * first 5 000 characters of the evaluation's, and a cut patch would end the runner at `git apply`.
 */
const FLOOR_MERGE_SCRIPT = [
  'cd /workspace/repo',
  'g() { git -c "safe.directory=*" -c user.name=floor -c user.email=floor@localhost -c core.hooksPath=/dev/null "$@"; }',
  'base=$(g rev-parse HEAD)',
  'g checkout -q -b floor1 && g apply /patches/patch1.patch; g add -A && g commit -q --allow-empty -m 1',
  'g checkout -q -f -b floor2 "$base" && g apply /patches/patch2.patch; g add -A && g commit -q --allow-empty -m 2',
  // The benchmark's merge: naive first, and after a conflict the union merge (both sides of each hunk kept).
  'if ! g merge -q --no-edit floor1; then',
  '  g merge --abort; mkdir -p .git/info; echo "* merge=union" >> .git/info/attributes',
  '  g merge -q --no-edit floor1 || g merge --abort',
  'fi',
  'g diff --binary "$base" HEAD > /patches/floor-merged.patch',
  'g checkout -q -f --detach "$base"',
  'true',
].join('\n')

/**
 * The floor of one pair: create, one upload of the agents' patches and the tests patches, the
 * merge, runner.sh per feature on its merged patch, remove. Through the backend (`physical`
 * false: its startup probe and login shells included) or, on docker, on the bare Engine API.
 */
async function floorOf(backend, namespace, pair, physical) {
  const task = tasks.find((t) => t.repo === pair.repo && t.taskId === pair.taskId)
  // An empty merge is not tested (the evaluation skips its runs): nothing to compare.
  if ((pair.record.merge?.diff ?? '') === '') return null
  const files = new Map([
    ...pair.features.map((f, i) => [`/patches/patch${i + 1}.patch`, readFileSync(join(pair.dir, `agent${f}.patch`))]),
    ...pair.features.map((f, i) => [`/patches/tests${i + 1}.patch`, readFileSync(join(task.dir, `feature${f}`, 'tests.patch'))]),
  ])
  const spec = {
    task,
    image: core.imageName('{namespace}/cooperbench-{slug}:task{taskId}', namespace, task.repo, task.taskId),
    role: 'bench',
    labels: { [core.SANDBOX_LABELS.run]: 'bench-eval-floor' },
  }
  const runs = pair.features.map((_, i) => `bash /usr/local/bin/runner.sh tests${i + 1}.patch floor-merged.patch`)
  if (physical) {
    // The backend's limits, its CPUs capped at the machine's as the backend caps them at the engine's.
    const { cpus, memory, pids } = backend.options
    return physicalDockerFloor(spec.image, files, FLOOR_MERGE_SCRIPT, runs, { cpus: Math.min(cpus, availableParallelism()), memory, pids })
  }
  const started = performance.now()
  const sandbox = await backend.createSandbox(spec)
  if (sandbox.writeFiles) await sandbox.writeFiles(files)
  else await Promise.all([...files].map(([path, bytes]) => sandbox.writeFile(path, bytes)))
  await sandbox.exec(FLOOR_MERGE_SCRIPT, { timeoutMs: 600_000 })
  // Whether the tests pass does not matter here, only how long the run takes.
  for (const run of runs) await sandbox.exec(run, { cwd: '/workspace/repo', timeoutMs: 600_000 })
  await sandbox.terminate()
  return performance.now() - started
}

const s = (ms) => (ms / 1000).toFixed(2)

/** Adds one pair's `timings` (phase -> ms), but the phases in `skip`, to `into` (phase -> ms of every pair). */
function addPhases(into, timings, skip) {
  for (const [phase, ms] of Object.entries(timings)) {
    if (skip.includes(phase)) continue
    const values = into.get(phase) ?? []
    values.push(ms)
    into.set(phase, values)
  }
}
for (const { name: backend, backend: instance, skip } of await availableBackends()) {
  if (BACKENDS !== null && !BACKENDS.includes(backend)) continue
  if (skip) {
    console.log(`${backend.padEnd(7)} skipped: ${skip}`)
    continue
  }
  if (backend === 'docker') for (const selection of selections) await runCli(['images', 'build', ...selection, ...dataset], cwd)
  const namespace = 'akhatua'
  const totals = []
  const sequentialTotals = []
  const floors = []
  // Each pair's total over its floor, both measured in the same round: paired, so load moves both.
  const overFloor = []
  const physicalFloors = []
  const physicalPhases = new Map()
  const sequentialPhases = new Map()
  const phases = new Map()
  let last
  for (let round = 0; round < ROUNDS; round++) {
    // Test runs at once whatever the machine's load (other helpers' work would otherwise turn them off).
    last = await evaluate(backend, 1, PARALLEL_CORES)
    for (const pair of last.pairs) {
      const timings = pair.record.timings ?? {}
      totals.push(timings.total)
      addPhases(phases, timings, ['total', 'prepare'])
    }
    // The same with one core for test runs: each pair's runs one after another in one sandbox.
    for (const pair of (await evaluate(backend, 1, 1)).pairs) {
      sequentialTotals.push(pair.record.timings.total)
      addPhases(sequentialPhases, pair.record.timings, ['total', 'prepare', 'tests'])
    }
    for (const pair of last.pairs) {
      const floor = await floorOf(instance, namespace, pair, false)
      if (floor !== null) {
        floors.push(floor)
        overFloor.push(pair.record.timings.total / floor)
      }
      if (backend !== 'docker') continue
      const physical = await floorOf(instance, namespace, pair, true)
      if (physical === null) continue
      physicalFloors.push(physical.total)
      addPhases(physicalPhases, physical.phases, [])
    }
  }
  await instance.close?.()
  const phasesText = (of) =>
    [...of].map(([phase, values]) => `${phase === 'sandbox' ? 'create' : phase === 'write' ? 'upload' : phase} ${Math.round(median(values))}`).join(', ')
  const phaseText = phasesText(phases)
  console.log(
    `${backend.padEnd(7)} eval -c 1 with parallel test runs (COOPERBENCH_TEST_RUN_CORES=${PARALLEL_CORES}), ${last.pairs.length} pairs x ${ROUNDS} rounds (load ${loadavg()[0].toFixed(2)}); median seconds per pair:`,
  )
  console.log(`        phases (ms): ${phaseText}`)
  console.log(
    `        total ${s(median(totals))}; floor ${s(median(floors))} (same pairs, same backend); total/floor per pair ${ratioText(pairedRatio(overFloor))}: ${verdictOf(pairedRatio(overFloor), 1.03)}`,
  )
  if (physicalFloors.length > 0) {
    console.log(
      `        physical floor ${s(median(physicalFloors))} (the same work on the bare Engine API: no startup probe, plain bash -c); ratio ${(median(totals) / median(physicalFloors)).toFixed(3)}`,
    )
    console.log(`        physical floor phases (ms): ${phasesText(physicalPhases)}`)
  }
  console.log(
    `        test runs one after another (COOPERBENCH_TEST_RUN_CORES=1): total ${s(median(sequentialTotals))}, ratio to the floor ${(median(sequentialTotals) / median(floors)).toFixed(3)}${physicalFloors.length > 0 ? `, to the physical floor ${(median(sequentialTotals) / median(physicalFloors)).toFixed(3)}` : ''}; parallel runs ${(median(sequentialTotals) / median(totals)).toFixed(2)}x shorter per pair`,
  )
  console.log(`        phases one after another (ms): ${phasesText(sequentialPhases)}`)
  for (const concurrency of [1, 4]) {
    const { summary, seconds, pairs } = concurrency === 1 ? last : await evaluate(backend, concurrency)
    const perPair = pairs.map((p) => p.record.timings.total / 1000)
    const count = summary.total_runs
    console.log(
      `        eval -c ${concurrency}: ${count} pairs in ${seconds.toFixed(1)} s = ${((count / seconds) * 60).toFixed(1)} pairs/min; median ${median(perPair).toFixed(2)} s per pair (passed ${summary.passed}, failed ${summary.failed}, errors ${summary.errors})`,
    )
  }
}
