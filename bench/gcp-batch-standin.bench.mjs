// `cooperbench eval` of the demo set's coop oracle patches on GCP Batch through the local
// stand-ins (Batch runs each task as a container on this machine's Docker engine, Storage is a
// folder) against the docker backend on the same pairs and the same engine. Both run the same
// containers and test runs; the difference is what Batch evaluation adds: staging archives
// through Cloud Storage, the driver inside the container, and polling the job's task states
// (at the stand-in's 0.5 s poll; Google's default is 10 s). Needs root, sshd and Docker.
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { root, runCli, tempDir } from './lib.mjs'

if (process.getuid?.() !== 0 || !existsSync('/usr/sbin/sshd')) {
  console.log('skipped: the gcp stand-in needs root and sshd (openssh-server)')
  process.exit(0)
}
const cwd = tempDir('cooperbench-bench-batch-')
const standin = pathToFileURL(join(root, 'packages/dev-tools/dist/gcp-standin.js')).href
writeFileSync(join(cwd, 'gcp-standin.mjs'), `import { gcpStandinPlugin } from ${JSON.stringify(standin)}\nexport default gcpStandinPlugin()\n`)
writeFileSync(
  join(cwd, 'cooperbench.config.json'),
  JSON.stringify({
    plugins: ['./gcp-standin.mjs'],
    backends: { docker: { network: 'none', buildNetwork: 'none' }, 'gcp-standin': { blockNetwork: true, cpusPerSandbox: 1, memoryMiBPerSandbox: 1024 } },
  }),
)
const dataset = ['--dataset-dir', join(root, 'dataset')]
const name = 'bench-batch'
for (const args of [
  ['images', 'build', '-s', 'demo', ...dataset],
  ['run', '-s', 'demo', '-a', 'oracle', '-n', name, '--no-auto-eval', '-c', '4', ...dataset],
]) {
  const r = await runCli(args, cwd)
  if (r.code !== 0) {
    console.error(r.stderr)
    process.exit(1)
  }
}
const rounds = Number(process.env.BENCH_ROUNDS ?? 2)
const seconds = { docker: [], 'gcp-standin': [] }
let pairs = 0
for (let round = 0; round < rounds; round++) {
  for (const backend of ['docker', 'gcp-standin']) {
    // Docker at -c 8, Batch at its default parallelism (all 27 at once on this machine's engine).
    const r = await runCli(['eval', '-n', name, '--force', '-c', '8', '--backend', backend, '--json', ...dataset], cwd)
    if (r.code !== 0) {
      console.error(r.stderr)
      process.exit(1)
    }
    const summary = JSON.parse(r.stdout)
    pairs = summary.total_runs
    seconds[backend].push(r.seconds)
    console.log(
      `${backend.padEnd(12)} round ${round + 1}: ${pairs} pairs in ${r.seconds.toFixed(1)} s (passed ${summary.passed}, failed ${summary.failed}, errors ${summary.errors})`,
    )
  }
}
const best = (xs) => Math.min(...xs)
const d = best(seconds.docker)
const b = best(seconds['gcp-standin'])
console.log(
  `best of ${rounds}: docker ${d.toFixed(1)} s, Batch through the stand-ins ${b.toFixed(1)} s: ×${(b / d).toFixed(2)}, ${(((b - d) / pairs) * 1000).toFixed(0)} ms added per pair by staging, the driver and polling`,
)
