// Start-up time of the CLI with every first-party plugin installed: `cooperbench --help` (target
// < 500 ms) and `cooperbench agents list` (loads every plugin's register hook), each the median
// of 10 runs, printed beside `node -e 0`, the floor any Node CLI pays.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { cli, median, percentile, root, tempDir } from './lib.mjs'

const RUNS = 10
const manifest = join(root, 'packages/cli/oclif.manifest.json')
if (!existsSync(manifest)) {
  console.error('packages/cli/oclif.manifest.json is missing: run `pnpm build` first')
  process.exit(1)
}
// An empty data directory: no user-installed plugins, as on a fresh install.
const env = { ...process.env, COOPERBENCH_DATA_DIR: tempDir('cb-bench-data-') }

function time(args) {
  const samples = []
  for (let i = 0; i < RUNS + 1; i++) {
    const started = process.hrtime.bigint()
    const result = spawnSync(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
    const ms = Number(process.hrtime.bigint() - started) / 1e6
    if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`)
    if (i > 0) samples.push(ms) // the first run warms the file cache
  }
  return { median: median(samples), p90: percentile(samples, 90) }
}

const floor = time(['-e', '0'])
const help = time([cli, '--help'])
const list = time([cli, 'agents', 'list'])
const row = (label, t) => console.log(`${label.padEnd(28)} median ${t.median.toFixed(0).padStart(4)} ms  p90 ${t.p90.toFixed(0).padStart(4)} ms`)
row('node -e 0 (floor)', floor)
row('cooperbench --help', help)
row('cooperbench agents list', list)
console.log(`--help: ${(help.median - floor.median).toFixed(0)} ms above the floor; target < 500 ms: ${help.median < 500 ? 'met' : 'MISSED'}`)
