import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cp, mkdir, open, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { type AtifTrajectory, atifProblems, type SftRow } from '@cooperbench/report'
import { describe, expect, it } from 'vitest'
import { verifyBundle } from '../../dist/index.js'
import { jsonLinesShapeProblems, loadWithDatasets, pythonWithDatasets } from '../../../report/test/support/sft-shape.js'
import { bundleDemoRuns, HOST_PATH } from './bundle-demo-runs.js'
import { editJson, tamperedBundle } from './bundle-tamper.js'
import {
  DEMO_DATASET,
  describeResult,
  hermeticApiCalls,
  listFiles,
  makeWorkdir,
  requireLocalBackend,
  runCli,
  runCliInProcess,
  startCli,
  type Workdir,
} from './helpers.js'

// verifyBundle runs in this process too: without the caller's COOPERBENCH_* or plugins.
hermeticApiCalls()

/**
 * `export`, `bundle` and `verify` on runs the real CLI makes on the local backend (`bundleDemoRuns`:
 * the oracle in coop, solo and team, mini_swe_agent driven by the scripted model in coop, in a team
 * and under upstream's coop.yaml). One pair a run: the records, and what verify does with each, are
 * per pair.
 */
let w: Workdir
let logs: string

/**
 * A command that must succeed, in the test's own process: what these tests check is what it wrote
 * and said. The first export, the first bundle and verify run in a real CLI process (`real`).
 */
async function cli(args: string[], real = false) {
  const r = real ? await runCli(args, w.options({ timeoutMs: 600_000 })) : await runCliInProcess(args, w.options())
  expect(r.code, describeResult(r)).toBe(0)
  return r
}

describe('export, bundle and verify on real runs', () => {
  it('the oracle and mini-SWE (both modes) export to valid ATIF and to SFT rows datasets loads; a team lead links its members', async (ctx) => {
    requireLocalBackend(ctx)
    w = await makeWorkdir('export-runs', 'file')
    const made = await bundleDemoRuns()
    logs = made.logs
    const { runs } = made
    const names = [...runs.flatMap((run) => ['-n', run]), '--log-dir', logs]
    const atif = await cli(['export', ...names, '--format', 'atif', '--out', 'atif', '--json'], true)
    const files = JSON.parse(atif.stdout).files as string[]
    // One document per agent of each run's pair: two in coop and in a team, one in solo.
    expect(files).toHaveLength(runs.reduce((n, run) => n + (run === 'solo-or-demo' ? 1 : 2), 0))
    const documents = new Map<string, AtifTrajectory>()
    for (const file of files) {
      const document = JSON.parse(await readFile(file, 'utf8')) as AtifTrajectory
      expect(atifProblems(document), file).toEqual([])
      documents.set(file, document)
    }
    const of = (run: string, agent: string) => [...documents].find(([file]) => file.includes(`/${run}/`) && file.endsWith(`/${agent}.atif.json`))!
    // mini-SWE in coop: model turns with tokens, the messages it exchanged under extra.cooperbench.
    const [, coop] = of('msa-coop', 'agent1')
    const conversation = JSON.parse(await readFile(join(logs, 'msa-coop', 'coop', 'textkit_task', '7', 'f1_f2', 'conversation.json'), 'utf8'))
    expect(conversation.length).toBeGreaterThan(0)
    expect((coop.extra!['cooperbench'] as Record<string, unknown>)['messages']).toEqual(
      conversation.map(({ from, to, message, timestamp }: Record<string, unknown>) => ({ from, to, message, timestamp })),
    )
    const modelSteps = coop.steps.filter((s) => s.source === 'agent')
    expect(modelSteps.every((s) => s.llm_call_count === 1 && (s.metrics?.prompt_tokens ?? 0) > 0 && s.tool_calls?.length === 1)).toBe(true)
    expect(modelSteps.every((s) => s.observation?.results[0]?.source_call_id === s.tool_calls![0]!.tool_call_id)).toBe(true)
    // The team: the lead's first step references each member's file; the task list's events are the lead's own.
    const [leadFile, lead] = of('msa-team', 'agent1')
    const ref = lead.steps[0]!.observation!.results[0]!.subagent_trajectory_ref![0]!
    const member = JSON.parse(await readFile(join(leadFile, '..', ref.trajectory_path!), 'utf8')) as AtifTrajectory
    expect(member.trajectory_id).toBe(ref.trajectory_id)
    expect(member.extra!['cooperbench']).toMatchObject({ role: 'member', setting: 'team' })
    const events = (lead.extra!['cooperbench'] as Record<string, any>)['setting_events'] as Array<{ kind: string; by: string }>
    expect(events.map((e) => e.kind)).toEqual(expect.arrayContaining(['create', 'claim', 'update']))
    expect(lead.steps.some((s) => s.extra?.['coordination_status'] === true)).toBe(true)
    // The oracle: actions without a model, each a step with llm_call_count 0.
    const [, oracle] = of('solo-or-demo', 'solo')
    expect(oracle.steps.filter((s) => s.source === 'agent').every((s) => s.llm_call_count === 0 && s.metrics === undefined)).toBe(true)
    expect(oracle.final_metrics?.extra).toMatchObject({ model_calls: 0 })
    // Its $0 is known (no model); the scripted model's calls have no price: unknown, left out rather than 0.
    expect(oracle.final_metrics?.total_cost_usd).toBe(0)
    expect(oracle.final_metrics?.extra?.['cost_unknown']).toBeUndefined()
    expect(coop.final_metrics?.total_cost_usd).toBeUndefined()
    expect(coop.final_metrics?.extra).toMatchObject({ cost_unknown: true })
    // It has no model turns to train on: no sft row.
    const oracleSft = await cli(['export', '-n', 'solo-or-demo', '--log-dir', logs, '--format', 'sft', '--out', 'sft-oracle', '--json'])
    expect(JSON.parse(oracleSft.stdout)).toMatchObject({ trajectories: 0, filteredOut: 1 })

    const sft = await cli(['export', ...names, '--format', 'sft', '--out', 'sft', '--setting', 'coop', '--setting', 'team', '-a', 'mini_swe_agent'])
    expect(sft.stdout).toMatch(/^exported \d+ trajectories as sft \(\d+ left out by the filters\)/)
    const text = await readFile(join(w.cwd, 'sft', 'train.jsonl'), 'utf8')
    expect(jsonLinesShapeProblems(text)).toEqual([])
    const rows = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as SftRow)
    expect(new Set(rows.map((r) => r.run))).toEqual(new Set(runs.filter((r) => r.startsWith('msa-'))))
    expect(rows.every((r) => r.agent === 'mini_swe_agent' && r.tools.length === 1 && r.tools[0]!.function.name === 'bash')).toBe(true)
    // Each row ends on the assistant turn that submits (its output, the harness's answer, left out), and says so.
    for (const row of rows) {
      const last = row.messages.at(-1)!
      expect(last.role, row.trajectory_id).toBe('assistant')
      expect(row.ends_on_tool_call, row.trajectory_id).toBe(true)
      expect(JSON.parse(last.tool_calls![0]!.function.arguments).command, row.trajectory_id).toContain('COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT')
      const answered = new Set(row.messages.map((m) => m.tool_call_id))
      const unanswered = row.messages
        .slice(0, -1)
        .flatMap((m) => m.tool_calls ?? [])
        .filter((c) => !answered.has(c.id))
      expect(unanswered, row.trajectory_id).toEqual([])
    }
    expect(text).not.toContain(logs)
    const python = pythonWithDatasets()
    if (python) expect(loadWithDatasets(python, join(w.cwd, 'sft')).rows).toBe(rows.length)
  }, 900_000)

  it('verify passes an untouched bundle of a team with its trajectories and names what differs in a changed verdict, a swapped patch, an edited rate, a pair left out, another dataset', async (ctx) => {
    requireLocalBackend(ctx)
    expect(w, 'the runs of the test above').toBeDefined()
    const bundle = join(w.cwd, 'demo.tar.gz')
    // A team of mini-SWE agents with their trajectories (the lead's and its members'), and the oracle's
    // coop and solo runs of one pair: verify recomputes report.json's figures, the solo-vs-coop deficit
    // over a pair judged in both settings among them, which only a bundle mixing the two holds.
    // The oracle's team run verifies in leaderboard.test.ts, mini-SWE's coop run in bundle-trust.test.ts.
    const runs = ['msa-team', 'coop-or-demo', 'solo-or-demo'].flatMap((run) => ['-n', run])
    await cli(['bundle', ...runs, '--log-dir', logs, '--dataset-dir', DEMO_DATASET, '--trajectories', '-o', bundle], true)
    const untouched = await runCli(['verify', bundle, '--dataset-dir', DEMO_DATASET], w.options({ timeoutMs: 600_000 }))
    expect(untouched.code, describeResult(untouched)).toBe(0)
    expect(untouched.stdout, 'the team and both settings verify').toMatch(/verified .*: 3 run\(s\), 3 pairs evaluated again with the same verdicts/)
    expect(untouched.stdout, 'an unsigned bundle is said to be so').toMatch(/unsigned: anyone could have made it/)

    // The changed copies are of a bundle of the coop run alone: verify evaluates every pair of a bundle again.
    // Each is verified in this process (the command's code, without a CLI start a case): bundle-trust.test.ts
    // shows how the CLI prints a refusal.
    const coopBundle = join(w.cwd, 'coop.tar.gz')
    await cli(['bundle', '-n', 'coop-or-demo', '--log-dir', logs, '--dataset-dir', DEMO_DATASET, '-o', coopBundle])
    // Changed as their author could: bundle.json then lists the changed files' digests (else it names them first).
    const tampered = (name: string, change: (root: string) => Promise<void>) => tamperedBundle(coopBundle, join(w.cwd, `tamper-${name}`), change, true)
    const coopPair = (root: string, pair: string) => join(root, 'runs', 'coop-or-demo', 'coop', 'textkit_task', '7', pair)

    // A failed pair recorded as passed, every field of the record saying so.
    const verdict = await tampered('verdict', (root) =>
      editJson(join(coopPair(root, 'f1_f2'), 'eval.json'), (e) => {
        e.both_passed = true
        e.all_passed = true
        for (const key of ['feature1', 'feature2']) e[key].passed = true
        for (const feature of Object.values(e.features_result ?? {}) as Array<{ passed: boolean }>) feature.passed = true
      }),
    )
    // The teammate's patch in place of agent 1's, its lines recorded (only evaluating it again shows it).
    const patch = await tampered('patch', async (root) => {
      const other = await readFile(join(coopPair(root, 'f1_f2'), 'agent2.patch'), 'utf8')
      await writeFile(join(coopPair(root, 'f1_f2'), 'agent1.patch'), other)
      await editJson(join(coopPair(root, 'f1_f2'), 'result.json'), (r) => {
        r.agents.agent1.patch_lines = other.split('\n').length - 1
      })
    })
    // A better rate than the verdicts give.
    const rate = await tampered('rate', (root) =>
      editJson(join(root, 'report.json'), (report) => {
        report.settings[0].rate += 0.1
      }),
    )
    // A bundle of a run that set out to judge more pairs than it holds (as when the failing ones are taken out
    // before bundling): its configuration selects the task's three demo pairs. Records and report agree, the
    // run's configuration does not.
    const cherryLogs = join(w.cwd, 'cherry-logs')
    await cp(join(logs, 'coop-or-demo'), join(cherryLogs, 'coop-or-demo'), { recursive: true })
    await editJson(join(cherryLogs, 'coop-or-demo', 'config.json'), (run) => {
      run.config.features = null
    })
    const cherry = join(w.cwd, 'cherry.tar.gz')
    await cli(['bundle', '-n', 'coop-or-demo', '--log-dir', cherryLogs, '--dataset-dir', DEMO_DATASET, '-o', cherry])
    // A dataset whose tests of one task differ.
    const dataset = join(w.cwd, 'dataset-changed')
    await cp(DEMO_DATASET, dataset, { recursive: true })
    const tests = join(dataset, 'textkit_task', 'task7', 'feature1', 'tests.patch')
    await writeFile(tests, `${await readFile(tests, 'utf8')}\n`)

    const cases: Array<[string, string, string, RegExp]> = [
      ['verdict', verdict, DEMO_DATASET, /coop-or-demo\/coop\/textkit_task\/7\/f1_f2: both_passed is true in the bundle, false when evaluated again/],
      ['patch', patch, DEMO_DATASET, /coop-or-demo\/coop\/textkit_task\/7\/f1_f2: (feature|merge|both_passed)/],
      ['rate', rate, DEMO_DATASET, /report: settings\[0\]\.rate is [\d.]+ in the bundle, [\d.]+ recomputed/],
      [
        'pair left out',
        cherry,
        DEMO_DATASET,
        /coop-or-demo\/coop\/textkit_task\/7\/f2_f4: the run's configuration selects this pair on this dataset, but the bundle has no finished pair there/,
      ],
      ['dataset', coopBundle, dataset, /the dataset is not the bundle's: task textkit_task\/7 digests sha256:\w+ here, sha256:\w+ in the bundle/],
    ]
    const refusal = (file: string, datasetDir: string) =>
      verifyBundle({ file, datasetDir, cwd: w.cwd }).then(
        () => 'verified',
        (error: unknown) => error as { exitCode: number; message: string },
      )
    for (const [name, file, data, message] of cases) {
      const ended = await refusal(file, data)
      expect(ended, `${name}: does not verify (exit 1)`).toMatchObject({ exitCode: 1 })
      expect((ended as Error).message, `${name}: what differs`).toMatch(message)
    }
    // A dataset without the bundle's task is the verifier's to complete (exit 3), not the bundle's fault.
    await rm(join(dataset, 'textkit_task'), { recursive: true, force: true })
    const lacking = await refusal(coopBundle, dataset)
    expect(lacking, 'a task missing from the dataset is exit 3').toMatchObject({ exitCode: 3 })
    expect((lacking as Error).message).toMatch(/task textkit_task\/7 of the bundle is missing from the dataset at /)
    expect((lacking as Error).message, "not the bundle's fault").not.toMatch(/does not verify/)
    await rm(dataset, { recursive: true, force: true })
  }, 900_000)

  it('export: Ctrl+C while it writes says so in one line and leaves no file; an --out it cannot write is named with --out', async (ctx) => {
    requireLocalBackend(ctx)
    expect(w, 'the runs of the first test').toBeDefined()
    // agent2's trajectory is a pipe: the export waits on it with agent1's row in its temp file, until the test writes it.
    const piped = join(w.cwd, 'piped-logs')
    await cp(join(logs, 'msa-coop'), join(piped, 'msa-coop'), { recursive: true })
    const trajectory = join(piped, 'msa-coop', 'coop', 'textkit_task', '7', 'f1_f2', 'agent2_traj.json')
    const text = await readFile(trajectory, 'utf8')
    await rm(trajectory)
    execFileSync('mkfifo', [trajectory])
    const out = join(w.cwd, 'sft-interrupted')
    const cli = startCli(['export', '-n', 'msa-coop', '--log-dir', piped, '--format', 'sft', '--out', out], w.options())
    const pipe = await open(trajectory, 'w')
    expect((await readdir(out)).filter((name) => name.startsWith('train.jsonl.tmp-'))).toHaveLength(1)
    cli.child.kill('SIGINT')
    await pipe.writeFile(text)
    await pipe.close()
    const r = await cli.result
    expect(r.code, describeResult(r)).toBe(130)
    expect(r.stderr.trim().split('\n'), describeResult(r)).toEqual(['error: interrupted by SIGINT: nothing exported, no file written'])
    expect(existsSync(out), 'the folder it made, gone with its temp file').toBe(false)

    await writeFile(join(w.cwd, 'a-file'), '')
    const blocked = await runCliInProcess(['export', '-n', 'msa-coop', '--log-dir', logs, '--format', 'sft', '--out', 'a-file/sft'], w.options())
    expect(blocked.code, describeResult(blocked)).toBe(7)
    expect(blocked.stderr).toMatch(/cannot write .*a-file\/sft: .*a-file is a file, not a folder\nhint: Choose a folder you can write with --out/)
  }, 300_000)

  it('bundle refuses, before writing anything, an -o that is a folder or cannot be written, a run still running or unfinished; it carries no host path of a plugin option', async (ctx) => {
    requireLocalBackend(ctx)
    expect(w, 'the runs of the first test').toBeDefined()
    // Refusals in the test's own process; the one of a run still running is a real process's, as the
    // run.lock names another process (this one).
    const bundle = (args: string[], real = false) =>
      (real ? runCli : runCliInProcess)(['bundle', ...args, '--dataset-dir', DEMO_DATASET], w.options({ timeoutMs: 300_000 }))
    const before = await readdir(w.cwd)
    const folder = join(w.cwd, 'bundles')
    await mkdir(folder)
    const intoFolder = await bundle(['-n', 'coop-or-demo', '-o', folder])
    expect(intoFolder.code, describeResult(intoFolder)).toBe(2)
    expect(intoFolder.stderr).toMatch(
      /bundles is a folder: -o names the archive to write\nhint: Give -o a file name, e\.g\. -o .*bundles\/coop-or-demo\.bundle\.tar\.gz/,
    )
    await writeFile(join(w.cwd, 'not-a-folder'), '')
    const blocked = await bundle(['-n', 'coop-or-demo', '-o', 'not-a-folder/b.tar.gz'])
    expect(blocked.code, describeResult(blocked)).toBe(7)
    expect(blocked.stderr).toMatch(/hint: Choose a folder you can write with -o\/--output/)
    expect(await readdir(folder)).toEqual([])
    expect((await readdir(w.cwd)).filter((name) => !before.includes(name)).sort()).toEqual(['bundles', 'not-a-folder'])

    // A copy of a finished run, then as a run still running holds it (run.lock of a live process: this one), then unfinished.
    const unfinishedLogs = join(w.cwd, 'unfinished-logs')
    const run = join(unfinishedLogs, 'coop-or-demo')
    await cp(join(logs, 'coop-or-demo'), run, { recursive: true })
    const lock = { pid: process.pid, pid_start_time: null, host: hostname(), started_at: new Date().toISOString() }
    await writeFile(join(run, 'run.lock'), JSON.stringify(lock))
    const live = await bundle(['-n', 'coop-or-demo', '--log-dir', unfinishedLogs, '-o', 'live.tar.gz'], true)
    expect(live.code, describeResult(live)).toBe(6)
    expect(live.stderr).toMatch(new RegExp(`run "coop-or-demo" is still running \\(pid ${process.pid} on `))
    await rm(join(run, 'run.lock'))
    await mkdir(join(run, 'coop', 'textkit_task', '7', 'f2_f3'))
    const unfinished = await bundle(['-n', 'coop-or-demo', '--log-dir', unfinishedLogs, '-o', 'unfinished.tar.gz'])
    expect(unfinished.code, describeResult(unfinished)).toBe(6)
    expect(unfinished.stderr).toMatch(/run "coop-or-demo" is unfinished: 1 pair\(s\) have no result.json\nhint: Finish it first/)
    expect(existsSync(join(w.cwd, 'live.tar.gz')) || existsSync(join(w.cwd, 'unfinished.tar.gz'))).toBe(false)

    // The finished run: its configuration's plugin option, a folder of this machine, is in the bundle as <host_path>.
    await cli(['bundle', '-n', 'coop-or-demo', '--log-dir', logs, '--dataset-dir', DEMO_DATASET, '-o', 'finished.tar.gz'])
    const unpacked = join(w.cwd, 'finished')
    await mkdir(unpacked)
    execFileSync('tar', ['-xzf', join(w.cwd, 'finished.tar.gz'), '-C', unpacked])
    const config = JSON.parse(await readFile(join(unpacked, 'cooperbench-bundle', 'runs', 'coop-or-demo', 'config.json'), 'utf8'))
    expect(config.config.agents.swe_agent.config_root).toBe('<host_path>')
    for (const file of await listFiles(unpacked)) expect(await readFile(join(unpacked, file), 'utf8'), file).not.toContain(HOST_PATH)
  }, 600_000)
})
