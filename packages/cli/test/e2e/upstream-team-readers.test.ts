/**
 * A team run this harness writes, read as upstream's own readers read it (docs/reference-compatibility.md#team-setting).
 * upstream-team-readers.json holds what upstream's Python (racso1999/CooperBench, the fork with the team
 * mode of 0.0.15–0.0.16: `discover_runs`, the eval's patch files, `get_run_totals`, `compute_metrics`,
 * the report script's seeding rule, `format_task_summary`, `fs_mirror`, `build_run_csvs.leaf_row`)
 * answered on the folder of the README's offline team run. This test makes that run again and derives
 * each answer from the new folder by the rule the reader follows, so CI keeps the claim without Python:
 * a key renamed, a value of another type, a file moved or a seeding changed shows as a different answer.
 */
import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { pythonJsonDumps } from '@cooperbench/spec-utils/host'
import { goldDatasetScript, startScriptedLlmServer } from '@cooperbench/testkit/llm-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_DATASET, describeResult, makeWorkdir, readJson, requireLocalBackend, runCli } from './helpers.js'

type Json = Record<string, any>

/**
 * The team setting as the CLI has it: a nested plugin of `@cooperbench/builtins` (the CLI's package.json names no setting), so
 * resolved from there. Its keys written as floats (`ts`, `created_at`, `updated_at`) are what upstream's `json.dumps` writes so.
 */
const requireFromBuiltins = createRequire(createRequire(import.meta.url).resolve('@cooperbench/builtins/package.json'))
const { TEAM_FLOAT_KEYS } = (await import(pathToFileURL(requireFromBuiltins.resolve('@cooperbench/setting-team')).href)) as {
  TEAM_FLOAT_KEYS: ReadonlySet<string>
}

interface Fixture {
  run: { args: string[]; run_name: string }
  answers: { discover_runs: Json[]; get_run_totals: Json; pairs: Record<string, Json> }
}

const fixture = JSON.parse(await readFile(new URL('./upstream-team-readers.json', import.meta.url), 'utf8')) as Fixture
let server: Awaited<ReturnType<typeof startScriptedLlmServer>>

beforeAll(async () => {
  server = await startScriptedLlmServer({ script: await goldDatasetScript(DEMO_DATASET) })
})
afterAll(() => server?.close())

describe("a team run folder read by upstream's readers", () => {
  it('answers every reader as upstream answered on the recorded run: pairs found, totals, metrics, seeding, summary, mirror, CSV row', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('upstream-team-readers')
    const args = fixture.run.args.map((arg) => (arg === '<dev model-server url>' ? server.url : arg))
    const r = await runCli([...args, '--dataset-dir', DEMO_DATASET], w.options({ timeoutMs: 600_000 }))
    expect(r.code, describeResult(r)).toBe(0)
    const runDir = join(w.logs, fixture.run.run_name)

    const found = await discoverRuns(runDir)
    expect(found).toEqual(fixture.answers.discover_runs)
    expect(await runTotals(runDir)).toEqual(fixture.answers.get_run_totals)
    // Every team judged: one that is not (an infra error on a loaded machine) is shown with what the run said.
    const unjudged = found.filter((run) => !existsSync(join(runDir, String(run.log_dir), 'eval.json')))
    expect(unjudged, describeResult(r)).toEqual([])
    const config = await readJson(join(runDir, 'config.json'))
    for (const run of found) {
      const expected = fixture.answers.pairs[run.log_dir]!
      const answers = await pairAnswers(join(runDir, run.log_dir), config)
      const { index_upstream_keys, ...mirror } = expected.fs_mirror
      expect(answers, run.log_dir).toEqual({ ...expected, fs_mirror: mirror })
      // Our _index.json has upstream's keys.
      expect(answers.fs_mirror.index_ours.keys, run.log_dir).toEqual(index_upstream_keys)
    }
  }, 900_000)
})

/** `discover_runs`: `<run>/team/<repo>_task/<integer task>/f<a>_f<b>…/` with a result.json and two features or more, sorted by name. */
async function discoverRuns(runDir: string): Promise<Json[]> {
  const runs: Json[] = []
  const names = async (dir: string) =>
    (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort()
  for (const repo of (await names(join(runDir, 'team'))).filter((name) => name.endsWith('_task'))) {
    for (const task of (await names(join(runDir, 'team', repo))).filter((name) => /^\d+$/.test(name))) {
      for (const pair of await names(join(runDir, 'team', repo, task))) {
        const features = pair
          .split('_')
          .filter((part) => part.startsWith('f'))
          .map((part) => Number(part.slice(1)))
        const logDir = `team/${repo}/${task}/${pair}`
        if (features.length < 2 || features.some(Number.isNaN) || !existsSync(join(runDir, logDir, 'result.json'))) continue
        runs.push({ repo, task_id: Number(task), features, log_dir: logDir, setting: 'team' })
      }
    }
  }
  return runs
}

/** How the fixture records a value that differs from run to run but must be a positive number. */
function positive(value: unknown): unknown {
  return typeof value === 'number' && value > 0 ? '<positive number>' : value
}

/** Python's `datetime.fromisoformat` before 3.11 reads only these: three or six digits of fraction, `±HH:MM`. */
const PYTHON_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3}|\.\d{6})?([+-]\d{2}:\d{2})?$/

/** `get_run_totals(run, 'team')`: every result.json's cost and duration, and the span of their times (0 when one does not parse). */
async function runTotals(runDir: string): Promise<Json> {
  const results = await Promise.all((await discoverRuns(runDir)).map((run) => readJson(join(runDir, run.log_dir, 'result.json'))))
  const parses = results.every((r) => PYTHON_ISO.test(r.started_at) && PYTHON_ISO.test(r.ended_at))
  const wall = parses ? Math.max(...results.map((r) => Date.parse(r.ended_at))) - Math.min(...results.map((r) => Date.parse(r.started_at))) : 0
  const runTime = results.reduce((sum, r) => sum + (typeof r.duration_seconds === 'number' ? r.duration_seconds : 0), 0)
  return {
    wall_time: positive(wall),
    run_time: positive(runTime),
    total_cost: results.reduce((sum, r) => sum + r.total_cost, 0),
    task_count: results.length,
  }
}

async function pairAnswers(dir: string, config: Json): Promise<Json> {
  const result = await readJson(join(dir, 'result.json'))
  const verdict = await readJson(join(dir, 'eval.json'))
  const log: Json[] = await readJson(join(dir, 'task_log.json'))
  const tasks: Json[] = await readJson(join(dir, 'tasks.json'))
  const metrics = upstreamMetrics(log, tasks)
  const [head, ...lines] = formatTaskSummary(tasks, 'agent1').split('\n')
  return {
    eval_patch_files: Object.fromEntries(result.features.map((f: number) => [`agent${f}.patch`, existsSync(join(dir, `agent${f}.patch`))])),
    compute_metrics: { ...metrics, time_to_first_claim_seconds: typeof metrics.time_to_first_claim_seconds === 'number' ? '<number>' : null },
    compute_metrics_equals_result_metrics: JSON.stringify(sortedKeys(metrics)) === JSON.stringify(sortedKeys(result.metrics)),
    seed_creates_by_bench_runner: log.filter((e) => e.kind === 'create' && e.by === 'bench-runner').length,
    format_task_summary_agent1: [head, ...lines.map((line) => line.replace(/^ {2}- [0-9a-f]{10} /, '  - <id> ')).sort()],
    fs_mirror: await mirrorAnswers(join(dir, 'scratchpad', 'tasks'), tasks, log),
    ...csvRow(dir, result, verdict, config),
  }
}

/** `compute_metrics`: counts from the final tasks, claims and updates per agent from the log, seconds from the earliest create to the earliest claim. */
function upstreamMetrics(log: Json[], tasks: Json[]): Json {
  const count = (kind: string) => {
    const by: Record<string, number> = {}
    for (const e of log.filter((event) => event.kind === kind)) by[e.by ?? '?'] = (by[e.by ?? '?'] ?? 0) + 1
    return by
  }
  const earliest = (kind: string) => {
    const times = log.filter((e) => e.kind === kind).map((e) => e.ts ?? 0)
    return times.length === 0 ? null : Math.min(...times)
  }
  const [create, claim] = [earliest('create'), earliest('claim')]
  return {
    tasks_total: tasks.length,
    tasks_done: tasks.filter((t) => t.status === 'done').length,
    unowned_at_end: tasks.filter((t) => !t.owner).length,
    time_to_first_claim_seconds: create !== null && claim !== null ? Math.round((claim - create) * 1000) / 1000 : null,
    claims_per_agent: count('claim'),
    updates_per_agent: count('update'),
  }
}

/**
 * `format_task_summary(tasks, viewer)`: a fixed line without tasks; else the counts by status (sorted by name) and a line per task,
 * the viewer's own marked, an unowned task's owner `?`.
 */
function formatTaskSummary(tasks: Json[], viewer: string): string {
  if (tasks.length === 0) return '[Team task list]: no tasks yet.'
  const counts: Record<string, number> = {}
  for (const task of tasks) counts[task.status] = (counts[task.status] ?? 0) + 1
  const header = Object.keys(counts)
    .sort()
    .map((status) => `${status}: ${counts[status]}`)
    .join(', ')
  const lines = tasks.map((t) => `  - ${t.id} [${t.status}] owner=${t.owner || '?'}${(t.owner || '?') === viewer ? ' (you own)' : ''}: ${t.title}`)
  return [`[Team task list] ${header}`, ...lines].join('\n')
}

/** `fs_mirror` beside ours: the same files, upstream's index keys, and each file as upstream's `json.dumps` writes it for this list. */
async function mirrorAnswers(dir: string, tasks: Json[], log: Json[]): Promise<Json> {
  const names = (await readdir(dir)).filter((name) => !name.startsWith('.')).sort()
  const ids = tasks.map((t) => t.id as string).sort()
  const index = JSON.parse(await readFile(join(dir, '_index.json'), 'utf8'))
  const text = (name: string) => readFile(join(dir, name), 'utf8')
  const dumps = (value: unknown, indent?: number) => pythonJsonDumps(value, { ...(indent ? { indent } : {}), floatKeys: TEAM_FLOAT_KEYS })
  // Upstream reads each task back from its Redis hash, whose fields are in the order it writes them.
  const hashOrder = (t: Json) => ({
    id: t.id,
    title: t.title,
    owner: t.owner,
    status: t.status,
    created_by: t.created_by,
    created_at: t.created_at,
    last_note: t.last_note,
    metadata: t.metadata,
  })
  const taskFiles = await Promise.all(tasks.map(async (t) => (await text(`${t.id}.json`)) === dumps(hashOrder(t), 2)))
  return {
    same_file_names: JSON.stringify(names) === JSON.stringify([...ids.map((id) => `${id}.json`), '_index.json', '_log.jsonl'].sort()),
    files: names.map((name) => (/^[0-9a-f]{10}\.json$/.test(name) ? '<id>.json' : name)).sort(),
    index_ours: { keys: Object.keys(index).sort(), updated_at_type: typeof index.updated_at, ids_equal: JSON.stringify(index.ids) === JSON.stringify(ids) },
    byte_equal: {
      '<id>.json': taskFiles.every(Boolean),
      '_index.json': (await text('_index.json')) === dumps({ updated_at: index.updated_at, ids }, 2),
      '_log.jsonl': (await text('_log.jsonl')) === log.map((e) => `${dumps(e)}\n`).join(''),
    },
  }
}

/** `build_run_csvs.leaf_row`: feature a is the lower id; each side's agent is the one whose `feature_id` it is; apply status by that agent's slot. */
function csvRow(dir: string, result: Json, verdict: Json, config: Json): Json {
  const [a, b] = [...result.features].sort((x: number, y: number) => x - y) as [number, number]
  const slotOf = (feature: number) => Object.entries(result.agents as Record<string, Json>).find(([, agent]) => agent.feature_id === feature)?.[0] ?? ''
  const agent = (feature: number) => (result.agents as Record<string, Json>)[slotOf(feature)] ?? {}
  const orEmpty = (value: unknown) => (value === null || value === undefined ? '' : value)
  const status = verdict.merge?.status
  const applyA = verdict.apply_status?.[slotOf(a)]
  const applyB = verdict.apply_status?.[slotOf(b)]
  const both = Boolean(verdict.both_passed)
  const clean = status === 'clean' || status === 'identical'
  const outcome =
    applyA !== 'applied' || applyB !== 'applied'
      ? 'missing_patch'
      : both && clean
        ? 'pass'
        : both
          ? 'solo_rescue'
          : clean
            ? 'functional_fail'
            : status === 'conflicts' || status === 'missing_input'
              ? 'textual_conflict'
              : 'unknown'
  const kind = (value: unknown) => (typeof value === 'number' ? 'number' : value === null || value === undefined ? 'string' : typeof value)
  return {
    build_run_csvs_row: {
      setting: orEmpty(result.setting ?? config.setting),
      model: orEmpty(config.model || result.model),
      agent_framework: orEmpty(config.agent_framework || result.agent_framework),
      repo: result.repo,
      task_id: result.task_id,
      pair: dir.split('/').at(-1),
      feature_a: a,
      feature_b: b,
      apply_a: orEmpty(applyA),
      apply_b: orEmpty(applyB),
      merge_status: orEmpty(status),
      merge_strategy: orEmpty(verdict.merge?.strategy),
      merge_clean: status ? clean : '',
      both_passed: both,
      outcome,
      a_merged_passed: orEmpty(verdict.feature1?.passed),
      b_merged_passed: orEmpty(verdict.feature2?.passed),
      a_status: orEmpty(agent(a).status),
      b_status: orEmpty(agent(b).status),
      // The lead's steps include its waits for the members, which depend on timing: recorded as their kind.
      a_steps: positive(agent(a).steps),
      b_steps: orEmpty(agent(b).steps),
      a_patch_lines: orEmpty(agent(a).patch_lines),
      b_patch_lines: orEmpty(agent(b).patch_lines),
      total_steps: positive(result.total_steps),
      messages_sent: orEmpty(result.messages_sent),
      error: orEmpty(verdict.error),
    },
    build_run_csvs_row_types: {
      duration_s: kind(result.duration_seconds),
      total_cost: kind(result.total_cost),
      a_cost: kind(agent(a).cost),
      b_cost: kind(agent(b).cost),
      evaluated_at: kind(verdict.evaluated_at),
    },
  }
}

/** A value with its objects' keys sorted, to compare two records regardless of key order (as Python's `==` on dicts does). */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys)
  if (typeof value !== 'object' || value === null) return value
  return Object.fromEntries(
    Object.entries(value)
      .sort(([x], [y]) => (x < y ? -1 : 1))
      .map(([k, v]) => [k, sortedKeys(v)]),
  )
}
