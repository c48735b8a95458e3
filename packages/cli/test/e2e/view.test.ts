import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { TWO_RUNS, writeRun } from '../../../report/test/support/pair-folders.js'
import { bundleDemoRuns } from './bundle-demo-runs.js'
import { bwrapUnavailable, describeResult, makeWorkdir, requireLocalBackend, runCli, runCliInProcess, startCli, type Workdir } from './helpers.js'

/**
 * `cooperbench view` as a user runs it: help, errors, serving a run (its JSON has the run's
 * report) until Ctrl+C, and --export. The page itself is tested in a browser in packages/viewer.
 * A real CLI process serves until SIGTERM; help, errors and --export, the command's wording and
 * files, run in the test's own process.
 */
let w: Workdir
/**
 * The runs of `bundleDemoRuns`, read only (view writes nothing in the log dir): its oracle coop run
 * of one pair is the run served and exported, made once per suite run for the bundle tests too.
 */
let logs: string
const RUN = 'coop-or-demo'

beforeAll(async () => {
  w = await makeWorkdir('view', 'file')
  if (bwrapUnavailable !== null && !process.env.CI) return
  logs = (await bundleDemoRuns()).logs
}, 900_000)

describe('cooperbench view', () => {
  it('--help names the flags', async () => {
    const help = await runCliInProcess(['view', '--help'], w.options())
    expect(help.code, describeResult(help)).toBe(0)
    for (const flag of ['--name', '--solo', '--coop', '--port', '--open', '--export', '--log-dir']) expect(help.stdout).toContain(flag)
  })

  it('--solo/--coop of runs with different models is refused, naming the difference', async () => {
    const logs = join(w.cwd, 'mismatch-logs')
    const limits = { step_limit: 100, cost_limit: 1, agent_timeout_seconds: null }
    for (const [name, setting, model] of [
      ['solo-run', 'solo', 'm'],
      ['coop-run', 'coop', 'other-model'],
    ] as const) {
      await writeRun(join(logs, name), TWO_RUNS[name]!)
      const value = { setting, agent: 'oracle', model, agent_config_digest: null, prompt_profile: 'reference', limits }
      await writeFile(join(logs, name, 'config.json'), JSON.stringify({ fingerprints: { [setting]: { value, hash: model } } }))
    }
    const args = ['view', '--log-dir', logs, '--solo', 'solo-run', '--coop', 'coop-run', '--export', join(w.cwd, 'mismatch-view')]
    const refused = await runCliInProcess(args, w.options())
    expect(refused.code, describeResult(refused)).not.toBe(0)
    expect(refused.stderr).toMatch(/^error: runs "solo-run" \(solo\) and "coop-run" \(coop\) cannot be compared/m)
    expect(refused.stderr).toContain('model: "m" → "other-model"')
    expect(existsSync(join(w.cwd, 'mismatch-view'))).toBe(false)
  })

  it('a missing log dir or run fails in one line with a hint and exit code 2', async (ctx) => {
    const noLogs = await runCliInProcess(['view', '--log-dir', 'nowhere', '--port', '0'], w.options())
    expect(noLogs.code, describeResult(noLogs)).toBe(2)
    expect(noLogs.stderr).toMatch(/^error: log dir .*nowhere does not exist\nhint: .*--log-dir/m)
    requireLocalBackend(ctx)
    const noRun = await runCliInProcess(['view', '-n', 'nope', '--log-dir', logs, '--port', '0'], w.options())
    expect(noRun.code, describeResult(noRun)).toBe(2)
    expect(noRun.stderr, 'a missing run is named, with the runs there').toMatch(/error: no run "nope" in .*\nhint: Runs there: .*coop-or-demo/)
  })

  it('serves on 127.0.0.1 with the run report as JSON until SIGTERM', async (ctx) => {
    requireLocalBackend(ctx)
    const viewer = startCli(['view', '-n', RUN, '--log-dir', logs, '--port', '0'], w.options({ timeoutMs: 60_000 }))
    expect(await viewer.waitForStdout(/http:\/\/127\.0\.0\.1:\d+\//, 20_000), viewer.stderr()).toBe(true)
    const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(viewer.stdout())![0]
    const data = await (await fetch(`${url}api/data`)).json()
    const report = await runCli(['report', '-n', RUN, '--log-dir', logs, '--json'], w.options())
    expect(data.report).toEqual(JSON.parse(report.stdout))
    expect(data.pairs.map((p: { label: string }) => p.label)).toEqual(['textkit_task/7 f1_f2'])
    expect(await (await fetch(url)).text()).toContain('app.js')
    viewer.child.kill('SIGTERM')
    const result = await viewer.result
    expect(result.code, describeResult(result)).toBe(0)
  })

  it('--export writes a static bundle with the data as scripts', async (ctx) => {
    requireLocalBackend(ctx)
    const exported = await runCliInProcess(['view', '-n', RUN, '--log-dir', logs, '--export', 'bundle'], w.options())
    expect(exported.code, describeResult(exported)).toBe(0)
    expect(exported.stdout, 'one run, one pair (not "1 pairs")').toMatch(/^wrote .*bundle\/index\.html \(1 run, 1 pair\)$/m)
    for (const file of ['index.html', 'app.js', 'app.css', 'data/viewer-data.js']) expect(existsSync(join(w.cwd, 'bundle', file)), file).toBe(true)
    expect(await readFile(join(w.cwd, 'bundle', 'data', 'viewer-data.js'), 'utf8')).toMatch(/^window\.COOPERBENCH_DATA = \{.*"coop-or-demo"/)
  })
})
