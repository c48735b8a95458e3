// `pnpm bench suite`: the slowest test files of the last suite run with a JSON report
// (`CI=true pnpm test` writes `.vitest-report.json`; `.ci/run` prints the same table). BY=cpu
// orders them by their CPU, children included (scripts/test/file-cpu.ts).
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const report = process.env.COOPERBENCH_SUITE_REPORT ?? join(root, '.vitest-report.json')
if (!existsSync(report)) {
  console.log(`no suite report at ${report}: run \`CI=true pnpm test\` (or .ci/run) first, or name one with COOPERBENCH_SUITE_REPORT`)
  process.exit(0)
}
const result = spawnSync(
  process.execPath,
  [join(root, 'scripts', 'test', 'slowest-files.mjs'), report, '--top', process.env.TOP ?? '15', ...(process.env.BY ? ['--by', process.env.BY] : [])],
  { stdio: 'inherit' },
)
process.exit(result.status ?? 1)
