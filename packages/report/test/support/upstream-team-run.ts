/**
 * Run folders as upstream writes them (racso1999/CooperBench, the team mode of 0.0.15–0.0.16), built
 * from the field names its writers use and no file of ours: `runner/core.py` `_save_config` and
 * `_save_summary` (config.json without fingerprints, summary.json), `runner/team.py` `execute_team`
 * (result.json with `lead_agent`, `team_role`, `metrics` — `{}` without the task list — and
 * `team_features`; trajectories with `team_role`; task_log.json and tasks.json with float times and
 * the `bench-runner` seeding), `eval/evaluate.py` `_evaluate_single` (eval.json with `setting: "coop"`,
 * no `policy`, `apply_status` by agent slot, `merge.strategy` of 0.0.16) and `runner/solo.py` for the
 * solo run set against it. Times are Python's naive `isoformat()` with microseconds, durations floats.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { tempFolderOfThisFile } from '../../../../scripts/test/after-every.js'

/** A pair of task `task` of `textkit_task`, features 1 and 2: how upstream's eval scored it. */
export interface UpstreamPair {
  task: number
  /** `naive` (clean merge), `solo-agent1` (conflicts, the lead's patch passed both), `skip-merge-identical`. */
  strategy: 'naive' | 'solo-agent1' | 'skip-merge-identical'
  passed: boolean
  /** Seconds from the seeding to the first claim; null: nobody claimed. */
  firstClaim?: number | null
}

/** upstream's `TeamHarnessConfig` flags (`--team-no-*` turns one off). */
export interface UpstreamTeamFlags {
  task_list: boolean
  scratchpad: boolean
  mcp: boolean
  auto_refresh: boolean
  protocol: boolean
}

const ALL_ON: UpstreamTeamFlags = { task_list: true, scratchpad: true, mcp: true, auto_refresh: true, protocol: true }
const MODEL = 'gpt-5-mini'
const FRAMEWORK = 'mini_swe_agent_v2'

/** A fresh log dir to write runs into, removed after the file's tests. */
export async function upstreamLogDir(): Promise<string> {
  const dir = await tempFolderOfThisFile('cb-upstream-team-')
  return dir
}

/** `2026-05-19T10:00:00.000000`: Python's `datetime.now().isoformat()`, the local wall clock without an offset, with microseconds. */
function pythonIso(ms: number): string {
  const d = new Date(ms)
  const two = (n: number) => String(n).padStart(2, '0')
  const date = `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`
  return `${date}T${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}000`
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFile(path, JSON.stringify(value, null, 2))
}

function agentEntry(featureId: number, role: 'lead' | 'member') {
  return {
    feature_id: featureId,
    team_role: role,
    status: 'Submitted',
    cost: 0.25,
    steps: 12,
    input_tokens: 40_000,
    output_tokens: 2_000,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    patch_lines: 30,
    error: null,
  }
}

function featureResult(featureId: number, passed: boolean) {
  return { feature_id: featureId, passed, exit_code: passed ? 0 : 1, tests_passed: passed ? 4 : 2, tests_failed: passed ? 0 : 2, test_output: '' }
}

/** upstream's team eval.json of one pair (`_evaluate_single`: every setting but solo is written as coop). */
function teamEval(pair: UpstreamPair) {
  const status = pair.strategy === 'naive' ? 'clean' : pair.strategy === 'skip-merge-identical' ? 'identical' : 'conflicts'
  return {
    repo: 'textkit_task',
    task_id: pair.task,
    features: [1, 2],
    setting: 'coop',
    apply_status: { agent1: 'applied', agent2: 'applied' },
    merge: { status, strategy: pair.strategy, diff: '' },
    feature1: featureResult(1, pair.passed),
    feature2: featureResult(2, pair.passed),
    feature1_independent: null,
    feature2_independent: null,
    both_passed: pair.passed,
    error: null,
    evaluated_at: pythonIso(Date.parse('2026-05-20T09:00:00Z')),
  }
}

/** The audit log and final tasks of upstream's seeding (`bench-runner`), a member's claim and both tasks done. */
function taskRecords(start: number, firstClaim: number | null) {
  const seed = start + 0.01
  const log: object[] = [
    { kind: 'create', task_id: '4d1e0c2b9a', by: 'bench-runner', title: 'Implement feature 2', ts: seed },
    { kind: 'create', task_id: 'c7a3f0e6d1', by: 'bench-runner', title: 'Lead-only: integrate and submit feature 1', ts: seed + 0.002 },
  ]
  if (firstClaim !== null) {
    log.push({ kind: 'claim', task_id: '4d1e0c2b9a', by: 'agent2', ts: seed + firstClaim })
    log.push({
      kind: 'update',
      task_id: '4d1e0c2b9a',
      by: 'agent2',
      status: 'done',
      note: 'patch in /workspace/shared/agent2.patch',
      ts: seed + firstClaim + 20,
    })
  }
  const task = (id: string, title: string, owner: string, status: string, note: string, metadata: object) => ({
    id,
    title,
    owner,
    status,
    created_by: 'bench-runner',
    created_at: seed,
    last_note: note,
    metadata,
  })
  const tasks = [
    task(
      '4d1e0c2b9a',
      'Implement feature 2',
      'agent2',
      firstClaim === null ? 'open' : 'done',
      firstClaim === null ? '' : 'patch in /workspace/shared/agent2.patch',
      {
        feature_id: 2,
        assigned_to: 'agent2',
      },
    ),
    task('c7a3f0e6d1', 'Lead-only: integrate and submit feature 1', 'agent1', 'open', '', { feature_id: 1, assigned_to: 'agent1', lead_task: true }),
  ]
  const metrics = {
    tasks_total: 2,
    tasks_done: firstClaim === null ? 0 : 1,
    unowned_at_end: 0,
    time_to_first_claim_seconds: firstClaim,
    claims_per_agent: firstClaim === null ? {} : { agent2: 1 },
    updates_per_agent: firstClaim === null ? {} : { agent2: 1 },
  }
  return { log, tasks, metrics }
}

/**
 * `<logDir>/<name>/`: a team run of `pairs` with upstream's team flags, as `cooperbench run --setting team`
 * of upstream writes it and `cooperbench eval` then scores it. Pairs start an hour apart, each runs 300.5 s.
 */
export async function writeUpstreamTeamRun(logDir: string, name: string, pairs: UpstreamPair[], flags: Partial<UpstreamTeamFlags> = {}): Promise<void> {
  const features = { ...ALL_ON, ...flags }
  const root = join(logDir, name)
  const first = Date.parse('2026-05-19T10:00:00Z')
  await writeConfig(root, name, 'team', pairs.length, first)
  const results = []
  for (const [i, pair] of pairs.entries()) {
    const dir = join(root, 'team', 'textkit_task', String(pair.task), 'f1_f2')
    await mkdir(dir, { recursive: true })
    const start = first + i * 3_600_000
    const duration = 300.5
    const { log, tasks, metrics } = taskRecords(start / 1000, pair.firstClaim === undefined ? 4.2 : pair.firstClaim)
    const agents = { agent1: agentEntry(1, 'lead'), agent2: agentEntry(2, 'member') }
    await writeJson(join(dir, 'result.json'), {
      repo: 'textkit_task',
      task_id: pair.task,
      features: [1, 2],
      setting: 'team',
      run_id: `0f3a9c${String(i).padStart(2, '0')}`,
      run_name: name,
      agent_framework: FRAMEWORK,
      model: MODEL,
      started_at: pythonIso(start),
      ended_at: pythonIso(start + duration * 1000),
      duration_seconds: duration,
      lead_agent: 'agent1',
      agents,
      total_cost: 0.5,
      total_steps: 24,
      messages_sent: 2,
      metrics: features.task_list ? metrics : {},
      team_features: features,
      log_dir: dir,
    })
    const conversation = [
      { from: 'agent1', to: 'agent2', message: 'I take slug.py', timestamp: start / 1000 + 10, feature_id: 1 },
      { from: 'agent2', to: 'agent1', message: 'ok, I stay in case.py', timestamp: start / 1000 + 12, feature_id: 2 },
    ]
    await writeJson(join(dir, 'conversation.json'), conversation)
    for (const [agentId, featureId] of [
      ['agent1', 1],
      ['agent2', 2],
    ] as const) {
      await writeFile(join(dir, `agent${featureId}.patch`), `diff --git a/textkit/f${featureId}.py b/textkit/f${featureId}.py\n`)
      await writeJson(join(dir, `agent${featureId}_traj.json`), {
        repo: 'textkit_task',
        task_id: pair.task,
        feature_id: featureId,
        agent_id: agentId,
        team_role: agentId === 'agent1' ? 'lead' : 'member',
        model: MODEL,
        status: 'Submitted',
        cost: 0.25,
        steps: 12,
        messages: [{ role: 'user', content: `Implement feature ${featureId}` }],
      })
    }
    if (features.task_list) {
      await writeJson(join(dir, 'task_log.json'), log)
      await writeJson(join(dir, 'tasks.json'), tasks)
    }
    await writeJson(join(dir, 'eval.json'), teamEval(pair))
    results.push({ task: `textkit_task/${pair.task}`, features: [1, 2], status: 'completed', cost: 0.5, eval: pair.passed ? 'pass' : 'fail' })
  }
  await writeSummary(root, name, results)
}

/** `<logDir>/<name>/`: upstream's solo run of the same pairs (`runner/solo.py`, `test_solo`). */
export async function writeUpstreamSoloRun(logDir: string, name: string, pairs: Array<{ task: number; passed: boolean }>): Promise<void> {
  const root = join(logDir, name)
  const first = Date.parse('2026-05-18T10:00:00Z')
  await writeConfig(root, name, 'solo', pairs.length, first)
  const results = []
  for (const [i, pair] of pairs.entries()) {
    const dir = join(root, 'solo', 'textkit_task', String(pair.task), 'f1_f2')
    await mkdir(dir, { recursive: true })
    const start = first + i * 3_600_000
    const { feature_id: _f, team_role: _r, ...agent } = agentEntry(1, 'lead')
    await writeJson(join(dir, 'result.json'), {
      repo: 'textkit_task',
      task_id: pair.task,
      features: [1, 2],
      setting: 'solo',
      run_id: `5b2e7d${String(i).padStart(2, '0')}`,
      run_name: name,
      agent_framework: FRAMEWORK,
      model: MODEL,
      started_at: pythonIso(start),
      ended_at: pythonIso(start + 200_000),
      duration_seconds: 200.25,
      agent,
      total_cost: 0.25,
      total_steps: 12,
      log_dir: dir,
    })
    await writeFile(join(dir, 'solo.patch'), 'diff --git a/textkit/f1.py b/textkit/f1.py\n')
    await writeJson(join(dir, 'eval.json'), {
      repo: 'textkit_task',
      task_id: pair.task,
      features: [1, 2],
      setting: 'solo',
      merge: null,
      feature1: featureResult(1, pair.passed),
      feature2: featureResult(2, pair.passed),
      both_passed: pair.passed,
      error: null,
      evaluated_at: pythonIso(Date.parse('2026-05-20T09:00:00Z')),
    })
    results.push({ task: `textkit_task/${pair.task}`, features: [1, 2], status: 'completed', cost: 0.25, eval: pair.passed ? 'pass' : 'fail' })
  }
  await writeSummary(root, name, results)
}

/** `_save_config`: the run's config.json (no fingerprints); `messaging_mode` is `free` for a team, `off` for solo. */
async function writeConfig(root: string, name: string, setting: 'team' | 'solo', pairs: number, started: number): Promise<void> {
  await mkdir(root, { recursive: true })
  await writeJson(join(root, 'config.json'), {
    run_name: name,
    agent_framework: FRAMEWORK,
    model: MODEL,
    setting,
    concurrency: 4,
    total_tasks: pairs,
    messaging_mode: setting === 'team' ? 'free' : 'off',
    message_schema: null,
    started_at: pythonIso(started),
  })
}

async function writeSummary(root: string, name: string, results: Array<{ eval: string }>): Promise<void> {
  const passed = results.filter((r) => r.eval === 'pass').length
  await writeJson(join(root, 'summary.json'), {
    run_name: name,
    completed_at: pythonIso(Date.parse('2026-05-20T09:30:00Z')),
    pass_rate: passed / Math.max(results.length, 1),
    total_tasks: results.length,
    completed: results.length,
    skipped: 0,
    failed: 0,
    total_cost: results.length * 0.5,
    total_time_seconds: 1800.0,
    results,
    eval: { total_evaluated: results.length, passed, failed: results.length - passed, errors: 0, skipped: 0, pass_rate: passed / Math.max(results.length, 1) },
  })
}
